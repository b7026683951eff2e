using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Workloads;

namespace Cocktail.Domain.Policies;

/// <summary>One rule a workload breaks, at the field that breaks it.</summary>
public sealed record Violation(string Field, string Rule, string Message);

/// <summary>
/// Checks a workload against a policy, listing every violation by field. The same rules run on the cluster as
/// ValidatingAdmissionPolicies; this side answers before anything is submitted, with all problems at once.
/// </summary>
public static class PolicyEvaluator
{
    private static readonly HashSet<string> BaselineCapabilities =
    [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
        "SETPCAP", "SETUID", "SYS_CHROOT",
    ];

    /// <param name="defaults">
    /// The service map's default container limits: the cluster's LimitRange gives them to every container that does
    /// not set its own before any policy looks at the pod, so a default cpu (or memory) limit meets "limits required"
    /// for cpu (or memory). The cluster's admission policy is generated with the same defaults.
    /// </param>
    public static IReadOnlyList<Violation> Evaluate(WorkloadSpec spec, SecurityPolicy policy, DefaultLimits? defaults = null)
    {
        var violations = new List<Violation>();
        var level = policy.PodSecurity ?? PodSecurityLevel.Privileged;
        if (SecurityPolicy.Rank(level) >= 1) violations.AddRange(Baseline(spec));
        if (level == PodSecurityLevel.Restricted) violations.AddRange(Restricted(spec));

        for (var i = 0; i < spec.Containers.Count; i++)
        {
            var c = spec.Containers[i];
            var at = $"containers[{i}]";
            if (policy.Registries.Count > 0 && !policy.Registries.Contains(ImageReference.Registry(c.Image), StringComparer.OrdinalIgnoreCase))
                violations.Add(new($"{at}.image", "allowedRegistries",
                    $"Image '{c.Image}' comes from {ImageReference.Registry(c.Image)}; allowed: {string.Join(", ", policy.Registries)}."));
            if (policy.ForbidLatestTag && ImageReference.IsLatestOrUntagged(c.Image))
                violations.Add(new($"{at}.image", "forbidLatestTag", $"Image '{c.Image}' uses the latest tag or none; pin a version or a digest."));
            if (policy.RequireLimits && ((c.Resources?.Limits?.Cpu ?? defaults?.Cpu) is null || (c.Resources?.Limits?.Memory ?? defaults?.Memory) is null))
                violations.Add(new($"{at}.resources.limits", "requireLimits", $"Container '{c.Name}' needs cpu and memory limits."));
            if (policy.ForbidPrivilegeEscalation && (c.SecurityContext?.AllowPrivilegeEscalation is not false || c.SecurityContext?.Privileged is true))
                violations.Add(new($"{at}.securityContext.allowPrivilegeEscalation", "forbidPrivilegeEscalation",
                    $"Container '{c.Name}' must set allowPrivilegeEscalation: false (and not run privileged)."));
        }
        if (policy.ForbidHostPath)
            foreach (var (volume, index) in (spec.Volumes ?? []).Select((v, i) => (v, i)).Where(x => x.v.HostPath is not null))
                violations.Add(new($"volumes[{index}].hostPath", "forbidHostPath", $"Volume '{volume.Name}' mounts a host path."));
        if (policy.MaxReplicas is { } max)
        {
            if (spec.Scalable && spec.Autoscaler is null && spec.DesiredReplicas > max)
                violations.Add(new("replicas", "maxReplicas", $"{spec.DesiredReplicas} replicas; at most {max} are allowed."));
            if (spec.Autoscaler is { } autoscaler && autoscaler.MaxReplicas > max)
                violations.Add(new("autoscaler.maxReplicas", "maxReplicas", $"The autoscaler may go to {autoscaler.MaxReplicas}; at most {max} are allowed."));
        }
        return violations.DistinctBy(v => (v.Field, v.Rule)).ToList();
    }

    /// <summary>Pod Security Standards, baseline profile (the checks Cocktail's specs can express).</summary>
    private static IEnumerable<Violation> Baseline(WorkloadSpec spec)
    {
        const string rule = "podSecurity";
        if (spec.HostNetwork) yield return new("hostNetwork", rule, "Host networking is not allowed (baseline).");
        if (spec.HostPid) yield return new("hostPID", rule, "Sharing the host's process namespace is not allowed (baseline).");
        if (spec.HostIpc) yield return new("hostIPC", rule, "Sharing the host's IPC namespace is not allowed (baseline).");
        foreach (var (volume, index) in (spec.Volumes ?? []).Select((v, i) => (v, i)).Where(x => x.v.HostPath is not null))
            yield return new($"volumes[{index}].hostPath", rule, $"Volume '{volume.Name}' mounts a host path (baseline).");
        for (var i = 0; i < spec.Containers.Count; i++)
        {
            var sc = spec.Containers[i].SecurityContext;
            if (sc?.Privileged is true)
                yield return new($"containers[{i}].securityContext.privileged", rule, $"Container '{spec.Containers[i].Name}' must not run privileged (baseline).");
            foreach (var capability in (sc?.AddCapabilities ?? []).Where(c => !BaselineCapabilities.Contains(c)))
                yield return new($"containers[{i}].securityContext.capabilities.add", rule, $"Capability {capability} is not allowed (baseline).");
            if (sc?.SeccompProfile == "Unconfined")
                yield return new($"containers[{i}].securityContext.seccompProfile", rule, "An unconfined seccomp profile is not allowed (baseline).");
        }
    }

    /// <summary>Pod Security Standards, restricted profile, on top of baseline.</summary>
    private static IEnumerable<Violation> Restricted(WorkloadSpec spec)
    {
        const string rule = "podSecurity";
        for (var i = 0; i < spec.Containers.Count; i++)
        {
            var c = spec.Containers[i];
            var sc = c.SecurityContext;
            var at = $"containers[{i}].securityContext";
            if (sc?.AllowPrivilegeEscalation is not false)
                yield return new($"{at}.allowPrivilegeEscalation", rule, $"Container '{c.Name}' must set allowPrivilegeEscalation: false (restricted).");
            if (sc?.RunAsNonRoot is not true)
                yield return new($"{at}.runAsNonRoot", rule, $"Container '{c.Name}' must set runAsNonRoot: true (restricted).");
            if (sc?.RunAsUser == 0)
                yield return new($"{at}.runAsUser", rule, $"Container '{c.Name}' must not run as user 0 (restricted).");
            if (!(sc?.DropCapabilities ?? []).Contains("ALL"))
                yield return new($"{at}.capabilities.drop", rule, $"Container '{c.Name}' must drop ALL capabilities (restricted).");
            foreach (var capability in (sc?.AddCapabilities ?? []).Where(cap => cap != "NET_BIND_SERVICE"))
                yield return new($"{at}.capabilities.add", rule, $"Capability {capability} is not allowed (restricted); only NET_BIND_SERVICE.");
            if (sc?.SeccompProfile is not ("RuntimeDefault" or "Localhost"))
                yield return new($"{at}.seccompProfile", rule, $"Container '{c.Name}' needs seccompProfile RuntimeDefault or Localhost (restricted).");
        }
    }
}

/// <summary>How Kubernetes reads an image reference: registry (docker.io when none is named), tag, digest.</summary>
public static class ImageReference
{
    public static string Registry(string image)
    {
        var slash = image.IndexOf('/');
        if (slash < 0) return "docker.io";
        var first = image[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? first : "docker.io";
    }

    public static bool IsLatestOrUntagged(string image)
    {
        if (image.Contains('@')) return false;
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        return colon < 0 || lastSegment[(colon + 1)..] == "latest";
    }
}
