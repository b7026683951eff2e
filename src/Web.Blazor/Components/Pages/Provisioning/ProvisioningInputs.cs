using InfrastructureKind = Cocktail.Domain.Provisioning.Infrastructure;
using Cocktail.Application.Provisioning;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Web.Components.Pages.Provisioning;

/// <summary>The console's forms as the commands take them.</summary>
public static class ProvisioningInputs
{
    public static NodePoolInput Pool(PoolForm pool) => new(
        pool.Name?.Trim() ?? "", pool.MachineType?.Trim() ?? "", pool.Replicas, pool.MinSize, pool.MaxSize,
        pool.Labels().Labels, [.. pool.Taints().Taints.Select(t => new NodeTaintInput(t.Key, t.Value, t.Effect))], pool.GpusPerNode);

    public static ClusterBlueprintInput Blueprint(
        string name, string @namespace, InfrastructureKind infrastructure, string version, int controlPlaneReplicas, string? controlPlaneMachineType,
        IEnumerable<PoolForm> pools, List<string> podCidrs, List<string> serviceCidrs, Dictionary<string, string> settings, string? clusterClass) =>
        new(name, @namespace, infrastructure, version,
            InfrastructureCatalog.Get(infrastructure).ManagedControlPlane ? null : new ControlPlaneInput(controlPlaneReplicas, controlPlaneMachineType),
            [.. pools.Select(Pool)], new NetworkInput(podCidrs, serviceCidrs), settings, clusterClass);
}
