using Cocktail.KubeSim.Controllers;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// The ResourceQuota admission plugin: a create that would push any quota of its namespace past a hard limit is
/// refused with 403 "exceeded quota: NAME, requested: ..., used: ..., limited: ..."; pods in a namespace whose
/// quota limits cpu or memory must state those requests/limits ("failed quota: NAME: must specify ...").
/// Like the real plugin, it enforces what the resourcequota controller has written to <c>status.hard</c>, not
/// <c>spec.hard</c>: a quota is not enforced until the controller has synced it, so a pod created a moment after its
/// quota is admitted on a real cluster too.
/// </summary>
internal sealed class ResourceQuotaAdmission(ClusterRuntime cluster) : IValidatingAdmission
{
    static readonly HashSet<string> ComputeResources = ["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

    public void Validate(AdmissionRequest request)
    {
        if (request.Operation != "CREATE" || request.Object is null || request.Namespace.Length == 0 || request.Subresource.Length > 0) return;
        var quotas = cluster.Store.List("/resourcequotas", request.Namespace).Items;
        if (quotas.Count == 0) return;
        var delta = QuotaUsage.Of(request.Type, request.Object);
        foreach (var stored in quotas.OrderBy(q => q.Name, StringComparer.Ordinal))
        {
            var quota = stored.Parse();
            var hard = quota.At("status", "hard").StringMap().ToDictionary(h => h.Key, h => Quantity.Parse(h.Value));
            var matched = hard.Keys.Where(delta.ContainsKey).ToList();
            if (request.Type.StorageKey == "/pods") RequireComputeSpecified(request, quota.Name(), hard.Keys);
            if (matched.Count == 0) continue;
            var used = QuotaUsage.Compute(cluster, request.Namespace, matched);
            var exceeded = matched.Where(k => used[k].Value + delta[k].Value > hard[k].Value).OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (exceeded.Count == 0) continue;
            throw ApiException.Forbidden(request.Type.Group, request.Type.Resource, request.Name,
                $"exceeded quota: {quota.Name()}, requested: {Pretty(exceeded, delta)}, used: {Pretty(exceeded, used)}, limited: {Pretty(exceeded, hard)}");
        }
    }

    static string Pretty(IEnumerable<string> keys, Dictionary<string, Quantity> values) =>
        string.Join(",", keys.Select(k => $"{k}={values.GetValueOrDefault(k, Quantity.Zero)}"));

    static void RequireComputeSpecified(AdmissionRequest request, string quotaName, IEnumerable<string> hardKeys)
    {
        var required = hardKeys.Where(ComputeResources.Contains).ToHashSet();
        if (required.Count == 0) return;
        var missing = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var container in request.Object!.At("spec", "containers").Objects())
        {
            var requests = container.At("resources", "requests").StringMap();
            var limits = container.At("resources", "limits").StringMap();
            var present = new HashSet<string>();
            foreach (var r in requests.Keys) { present.Add($"requests.{r}"); present.Add(r); }
            foreach (var l in limits.Keys) present.Add($"limits.{l}");
            foreach (var r in required.Where(r => !present.Contains(r)))
            {
                if (!missing.TryGetValue(r, out var names)) missing[r] = names = new SortedSet<string>(StringComparer.Ordinal);
                names.Add(container.Str("name") ?? "");
            }
        }
        if (missing.Count == 0) return;
        var message = string.Join("; ", missing.Select(m => $"{m.Key} for: {string.Join(",", m.Value)}"));
        throw ApiException.Forbidden(request.Type.Group, request.Type.Resource, request.Name, $"failed quota: {quotaName}: must specify {message}");
    }
}
