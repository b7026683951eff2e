namespace Cocktail.Domain.Tenancy;

/// <summary>
/// How Kubernetes names the resources of a Cocktail <see cref="Quota"/>: the keys of a ResourceQuota's hard and used
/// (what Cocktail puts on the cluster and what the console reads back), and the GPU's extended resource name.
/// </summary>
public static class ResourceQuotaKeys
{
    /// <summary>The extended resource GPUs are requested as (containers' requests and limits, nodes' capacity).</summary>
    public const string GpuResource = "nvidia.com/gpu";

    public const string Cpu = "requests.cpu";
    public const string Memory = "requests.memory";
    public const string Gpu = "requests." + GpuResource;
    public const string Storage = "requests.storage";
    public const string Pods = "pods";

    /// <summary>The ResourceQuota key of each of <see cref="Quota.Resources"/>.</summary>
    public static string For(string resource) => resource switch
    {
        "cpu" => Cpu, "memory" => Memory, "gpu" => Gpu, "storage" => Storage, "pods" => Pods,
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, null),
    };

    /// <summary>The ResourceQuota's hard limits for a quota: a resource left out is zero (nothing of it may be used).</summary>
    public static IReadOnlyDictionary<string, string> Hard(Quota quota) =>
        Quota.Resources.ToDictionary(For, r => quota[r] ?? "0");
}
