using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// Pod Security admission driven by the namespace labels pod-security.kubernetes.io/{enforce,warn}: pods that
/// violate the enforced level are refused (403 "violates PodSecurity ..."); pods and workload templates that
/// violate the warn level pass with a Warning header, exactly like the built-in plugin, which never enforces on
/// Deployments and other controllers (their pods are refused later, when the controller creates them).
/// </summary>
internal sealed class PodSecurityAdmission(ClusterRuntime cluster) : IValidatingAdmission
{
    const string LabelPrefix = "pod-security.kubernetes.io/";

    static readonly Dictionary<string, string[]> TemplatePaths = new()
    {
        ["apps/deployments"] = ["spec", "template"], ["apps/replicasets"] = ["spec", "template"],
        ["apps/statefulsets"] = ["spec", "template"], ["apps/daemonsets"] = ["spec", "template"],
        ["batch/jobs"] = ["spec", "template"], ["batch/cronjobs"] = ["spec", "jobTemplate", "spec", "template"],
        ["/replicationcontrollers"] = ["spec", "template"], ["/podtemplates"] = ["template"],
    };

    public void Validate(AdmissionRequest request)
    {
        if (request.Object is null || request.Operation is not ("CREATE" or "UPDATE") || request.Subresource.Length > 0) return;
        var isPod = request.Type.StorageKey == "/pods";
        if (!isPod && !TemplatePaths.ContainsKey(request.Type.StorageKey)) return;
        if (isPod && request.Operation == "UPDATE") return; // only image changes are possible; the real plugin exempts most updates
        var labels = cluster.Store.Get("/namespaces", "", request.Namespace)?.Parse().At("metadata", "labels").StringMap();
        if (labels is null) return;
        var template = isPod ? request.Object : request.Object.At(TemplatePaths[request.Type.StorageKey]) as JsonObject;
        if (template?["spec"] is not JsonObject spec) return;
        if (isPod && Level(labels, "enforce") is { } enforce)
        {
            var violations = PodSecurityChecks.Violations(spec, enforce.Level);
            if (violations.Count > 0)
                throw ApiException.Forbidden("", "pods", request.Name, $"violates PodSecurity \"{enforce.Level}:{enforce.Version}\": {string.Join(", ", violations)}");
        }
        if (Level(labels, "warn") is { } warn)
        {
            var violations = PodSecurityChecks.Violations(spec, warn.Level);
            if (violations.Count > 0) request.Warnings.Add($"would violate PodSecurity \"{warn.Level}:{warn.Version}\": {string.Join(", ", violations)}");
        }
    }

    static (string Level, string Version)? Level(Dictionary<string, string> labels, string mode)
    {
        if (!labels.TryGetValue(LabelPrefix + mode, out var level) || level is not ("baseline" or "restricted")) return null;
        return (level, labels.GetValueOrDefault($"{LabelPrefix}{mode}-version", "latest"));
    }
}
