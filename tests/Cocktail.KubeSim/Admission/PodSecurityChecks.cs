using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// The Pod Security Standards checks (k8s.io/pod-security-admission/policy), each producing the forbidden reason
/// and detail the real plugin prints, in the plugin's check order.
/// </summary>
internal static class PodSecurityChecks
{
    static readonly HashSet<string> BaselineCapabilities =
        ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"];

    static readonly HashSet<string> RestrictedVolumeTypes =
        ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

    public static List<string> Violations(JsonObject podSpec, string level)
    {
        var restricted = level == "restricted";
        var containers = podSpec["initContainers"].Objects().Concat(podSpec["containers"].Objects()).Concat(podSpec["ephemeralContainers"].Objects()).ToList();
        var podContext = podSpec["securityContext"] as JsonObject;
        var found = new List<string>();
        void Add(string reason, string detail) => found.Add($"{reason} ({detail})");

        if (restricted)
        {
            var offenders = Names(containers.Where(c => c.Bool("securityContext", "allowPrivilegeEscalation") != false));
            if (offenders.Count > 0) Add("allowPrivilegeEscalation != false", $"{Containers(offenders)} must set securityContext.allowPrivilegeEscalation=false");
        }
        var badCaps = containers.Select(c => (c, Added: Strings(c.At("securityContext", "capabilities", "add")).Where(cap => !BaselineCapabilities.Contains(cap)).ToList()))
            .Where(x => x.Added.Count > 0).ToList();
        if (badCaps.Count > 0)
            Add("non-default capabilities", $"{Containers(Names(badCaps.Select(x => x.c)))} must not include {Quoted(badCaps.SelectMany(x => x.Added).Distinct())} in securityContext.capabilities.add");
        if (restricted)
        {
            var noDrop = Names(containers.Where(c => !Strings(c.At("securityContext", "capabilities", "drop")).Contains("ALL")));
            var extraAdds = containers.SelectMany(c => Strings(c.At("securityContext", "capabilities", "add"))).Where(a => a != "NET_BIND_SERVICE").Distinct().ToList();
            var parts = new List<string>();
            if (noDrop.Count > 0) parts.Add($"{Containers(noDrop)} must set securityContext.capabilities.drop=[\"ALL\"]");
            if (extraAdds.Count > 0)
                parts.Add($"{Containers(Names(containers.Where(c => Strings(c.At("securityContext", "capabilities", "add")).Any(a => a != "NET_BIND_SERVICE"))))} must not include {Quoted(extraAdds)} in securityContext.capabilities.add");
            if (parts.Count > 0) Add("unrestricted capabilities", string.Join("; ", parts));
        }
        var hostNamespaces = new List<string>();
        if (podSpec.Bool("hostNetwork") == true) hostNamespaces.Add("hostNetwork=true");
        if (podSpec.Bool("hostPID") == true) hostNamespaces.Add("hostPID=true");
        if (podSpec.Bool("hostIPC") == true) hostNamespaces.Add("hostIPC=true");
        if (hostNamespaces.Count > 0) Add("host namespaces", string.Join(", ", hostNamespaces));
        var hostPathVolumes = podSpec["volumes"].Objects().Where(v => v["hostPath"] is not null).Select(v => v.Str("name") ?? "").ToList();
        if (hostPathVolumes.Count > 0) Add("hostPath volumes", $"{(hostPathVolumes.Count == 1 ? "volume" : "volumes")} {Quoted(hostPathVolumes)}");
        var hostPorts = containers.Select(c => (c, Ports: c["ports"].Objects().Select(p => p.Long("hostPort") ?? 0).Where(p => p != 0).ToList())).Where(x => x.Ports.Count > 0).ToList();
        if (hostPorts.Count > 0)
            Add("hostPort", $"{Containers(Names(hostPorts.Select(x => x.c)))} {(hostPorts.Sum(x => x.Ports.Count) == 1 ? "uses hostPort" : "use hostPorts")} {string.Join(", ", hostPorts.SelectMany(x => x.Ports))}");
        var privileged = Names(containers.Where(c => c.Bool("securityContext", "privileged") == true));
        if (privileged.Count > 0) Add("privileged", $"{Containers(privileged)} must not set securityContext.privileged=true");
        if (restricted)
        {
            var volumes = podSpec["volumes"].Objects()
                .Select(v => (Name: v.Str("name") ?? "", Type: v.Select(p => p.Key).FirstOrDefault(k => k != "name") ?? ""))
                .Where(v => !RestrictedVolumeTypes.Contains(v.Type)).ToList();
            if (volumes.Count > 0)
                Add("restricted volume types", string.Join(", ", volumes.Select(v => $"volume \"{v.Name}\" uses restricted volume type \"{v.Type}\"")));
            var podNonRoot = podContext.Bool("runAsNonRoot");
            var notNonRoot = Names(containers.Where(c => (c.Bool("securityContext", "runAsNonRoot") ?? podNonRoot) != true));
            if (podNonRoot == false || notNonRoot.Count > 0)
                Add("runAsNonRoot != true", podNonRoot == false ? "pod must not set securityContext.runAsNonRoot=false" : $"pod or {Containers(notNonRoot)} must set securityContext.runAsNonRoot=true");
            var rootUsers = Names(containers.Where(c => c.Long("securityContext", "runAsUser") == 0));
            if (podContext.Long("runAsUser") == 0) Add("runAsUser=0", "pod must not set runAsUser=0");
            else if (rootUsers.Count > 0) Add("runAsUser=0", $"{Containers(rootUsers)} must not set runAsUser=0");
        }
        var podSeccomp = podContext.Str("seccompProfile", "type");
        if (!restricted)
        {
            var unconfined = Names(containers.Where(c => c.Str("securityContext", "seccompProfile", "type") == "Unconfined"));
            if (podSeccomp == "Unconfined") Add("seccompProfile", "pod must not set securityContext.seccompProfile.type to \"Unconfined\"");
            else if (unconfined.Count > 0) Add("seccompProfile", $"{Containers(unconfined)} must not set securityContext.seccompProfile.type to \"Unconfined\"");
        }
        else
        {
            bool Allowed(string? t) => t is "RuntimeDefault" or "Localhost";
            var missing = Names(containers.Where(c => !Allowed(c.Str("securityContext", "seccompProfile", "type") ?? podSeccomp)));
            if (missing.Count > 0)
                Add("seccompProfile", Allowed(podSeccomp) || podSeccomp is not null
                    ? $"{Containers(missing)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""
                    : $"pod or {Containers(missing)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        }
        return found;
    }

    static List<string> Names(IEnumerable<JsonObject> containers) => containers.Select(c => c.Str("name") ?? "").ToList();

    static string Containers(List<string> names) => names.Count == 1 ? $"container \"{names[0]}\"" : $"containers {Quoted(names)}";

    static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));

    static IEnumerable<string> Strings(JsonNode? node) => node is JsonArray a ? a.Select(v => v?.GetValue<string>() ?? "") : [];
}
