using System.Text.Json.Nodes;
using Cocktail.KubeSim.Admission;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>The resourcequota controller: keeps status.hard and status.used of every quota in step with the namespace.</summary>
internal sealed class ResourceQuotaController(ClusterRuntime cluster) : Controller(cluster)
{
    public override void Start()
    {
        foreach (var q in Cluster.Store.List("/resourcequotas", null).Items) Enqueue(q.Namespace);
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.Namespace.Length == 0) yield break;
        if (change.Object.StorageKey == "/resourcequotas" || QuotaUsage.IsTracked(change.Object.StorageKey))
            if (Cluster.Store.Count("/resourcequotas", change.Object.Namespace) > 0) yield return change.Object.Namespace;
    }

    public override void Reconcile(string ns)
    {
        var type = Cluster.Type("", "resourcequotas");
        foreach (var stored in Cluster.Store.List("/resourcequotas", ns).Items)
        {
            var quota = stored.Parse();
            var hard = quota.At("spec", "hard").StringMap();
            var used = QuotaUsage.Compute(Cluster, ns, hard.Keys);
            var statusHard = new JsonObject();
            foreach (var (k, v) in hard.OrderBy(h => h.Key, StringComparer.Ordinal)) statusHard[k] = v;
            var statusUsed = new JsonObject();
            foreach (var k in hard.Keys.OrderBy(k => k, StringComparer.Ordinal)) statusUsed[k] = used.GetValueOrDefault(k, Quantity.Zero).ToString();
            if (JsonNode.DeepEquals(quota.At("status", "hard"), statusHard) && JsonNode.DeepEquals(quota.At("status", "used"), statusUsed)) continue;
            Workloads.WriteStatus(Cluster, type, ObjectMetadata.WithTypeMeta(quota, "ResourceQuota", "v1"), "resourcequota-controller", q =>
            {
                q.Obj("status")["hard"] = statusHard.DeepClone();
                q.Obj("status")["used"] = statusUsed.DeepClone();
            });
        }
    }
}
