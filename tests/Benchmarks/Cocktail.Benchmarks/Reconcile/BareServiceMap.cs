using System.Diagnostics;
using k8s;
using k8s.Models;

namespace Cocktail.Benchmarks.Reconcile;

/// <summary>
/// The reconcile benchmark's ceiling on the cluster side: a service map's namespace, then its quota, default limits
/// and network policy, server-side applied straight to the same simulated cluster with KubernetesClient, as
/// Cocktail's applier sends them but without Cocktail (no command, no outbox, no verdict).
/// </summary>
public static class BareServiceMap
{
    private const string Manager = "cocktail-bench-ceiling";

    /// <summary>Applies one service map's objects and returns how long it took.</summary>
    public static async Task<double> ApplyAsync(IKubernetes client, string name, CancellationToken ct = default)
    {
        var started = Stopwatch.GetTimestamp();
        await client.CoreV1.PatchNamespaceAsync(Apply(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = name } }),
            name, fieldManager: Manager, force: true, cancellationToken: ct);
        await Task.WhenAll(
            client.CoreV1.PatchNamespacedResourceQuotaAsync(Apply(new V1ResourceQuota
            {
                ApiVersion = "v1", Kind = "ResourceQuota", Metadata = new V1ObjectMeta { Name = "cocktail-quota", NamespaceProperty = name },
                Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["requests.cpu"] = new("1"), ["requests.memory"] = new("2Gi"), ["pods"] = new("10") } },
            }), "cocktail-quota", name, fieldManager: Manager, force: true, cancellationToken: ct),
            client.CoreV1.PatchNamespacedLimitRangeAsync(Apply(new V1LimitRange
            {
                ApiVersion = "v1", Kind = "LimitRange", Metadata = new V1ObjectMeta { Name = "cocktail-defaults", NamespaceProperty = name },
                Spec = new V1LimitRangeSpec { Limits = [new V1LimitRangeItem { Type = "Container", DefaultProperty = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("256Mi") } }] },
            }), "cocktail-defaults", name, fieldManager: Manager, force: true, cancellationToken: ct),
            client.NetworkingV1.PatchNamespacedNetworkPolicyAsync(Apply(new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1", Kind = "NetworkPolicy", Metadata = new V1ObjectMeta { Name = "cocktail-isolation", NamespaceProperty = name },
                Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress"], Ingress = [new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector() }] }] },
            }), "cocktail-isolation", name, fieldManager: Manager, force: true, cancellationToken: ct));
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static V1Patch Apply(object body) => new(KubernetesJson.Serialize(body), V1Patch.PatchType.ApplyPatch);
}
