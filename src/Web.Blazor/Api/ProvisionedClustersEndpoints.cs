using Cocktail.Application.Common;
using Cocktail.Application.Provisioning;
using Cocktail.Application.Provisioning.ChangingPools;
using Cocktail.Application.Provisioning.Deleting;
using Cocktail.Application.Provisioning.EnablingClusterApi;
using Cocktail.Application.Provisioning.Listing;
using Cocktail.Application.Provisioning.Previewing;
using Cocktail.Application.Provisioning.ScalingPools;
using Cocktail.Application.Provisioning.Upgrading;
using InfrastructureKind = Cocktail.Domain.Provisioning.Infrastructure;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using ProvisionClusterCommand = Cocktail.Application.Provisioning.Provisioning.ProvisionCluster;

namespace Cocktail.Web.Api;

/// <summary>
/// A cluster to create, flat: the blueprint's fields beside the management cluster and the reason, so that each field
/// error names the field sent (<c>name</c>, <c>nodePools[0].minSize</c>, <c>network.podCidrs[0]</c>).
/// </summary>
public sealed record ProvisionClusterBody(
    Guid? ManagementClusterId, string? Name, string? Namespace, InfrastructureKind? Infrastructure, string? KubernetesVersion,
    ControlPlaneInput? ControlPlane, List<NodePoolInput>? NodePools, NetworkInput? Network, Dictionary<string, string>? Settings,
    string? ClusterClass, string? Reason)
{
    public ClusterBlueprintInput ToInput() =>
        new(Name, Namespace, Infrastructure, KubernetesVersion, ControlPlane, NodePools, Network, Settings, ClusterClass);
}

public sealed record UpgradeBody(string? Version, string? Reason, long? ExpectedVersion);

public sealed record ScalePoolBody(int? Replicas, string? Reason, long? ExpectedVersion);

public sealed record PoolAutoscalingBody(int? MinSize, int? MaxSize, string? Reason, long? ExpectedVersion);

/// <summary>A pool to add, flat, with the reason.</summary>
public sealed record AddPoolBody(
    string? Name, string? MachineType, int? Replicas, int? MinSize, int? MaxSize, Dictionary<string, string>? Labels,
    List<NodeTaintInput>? Taints, int? GpusPerNode, string? Reason, long? ExpectedVersion);

public sealed record DeleteProvisionedClusterBody(string? Confirm, string? Reason, long? ExpectedVersion);

/// <summary>
/// Clusters created through Cluster API on a management cluster, and the management clusters themselves. Changes are
/// recorded and answered 202: the reconciler applies them to the management cluster afterwards.
/// </summary>
public static class ProvisionedClustersEndpoints
{
    private const string Tag = "Provisioned clusters";

    /// <summary>What the cluster offers as a Cluster API management cluster, discovered now.</summary>
    [WolverineGet("/api/v1/clusters/{id}/cluster-api"), Tags(Tag)]
    [ProducesResponseType<ManagementClusterView>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetClusterApi(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetManagementCluster(id), http.ToCaller(), ct));

    /// <summary>Enables (or discovers again) Cluster API management; 200 with what the cluster offers.</summary>
    [WolverinePost("/api/v1/clusters/{id}/cluster-api"), Tags(Tag)]
    [ProducesResponseType<ManagementClusterView>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(503)]
    public static async Task<IResult> EnableClusterApi(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var caller = http.ToCaller();
        var enabled = await dispatcher.SendAsync(new EnableClusterApi(id), caller, ct);
        return enabled.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetManagementCluster(id), caller, ct)) : ApiResults.Problem(enabled.Failure!);
    }

    /// <summary>`?reason=` says why, for the audit trail. The clusters created through it stay.</summary>
    [WolverineDelete("/api/v1/clusters/{id}/cluster-api"), Tags(Tag)]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> DisableClusterApi(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? reason)
    {
        var result = await dispatcher.SendAsync(new DisableClusterApi(id, reason), http.ToCaller(), ct);
        return result.Succeeded ? Results.NoContent() : ApiResults.Problem(result.Failure!);
    }

    [WolverineGet("/api/v1/provisioned-clusters"), Tags(Tag)]
    [ProducesResponseType<IReadOnlyList<ProvisionedClusterView>>(200)]
    public static async Task<IResult> List(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListProvisionedClusters(), http.ToCaller(), ct));

    /// <summary>The objects a request would apply, as YAML, after the same checks; records nothing.</summary>
    [WolverinePost("/api/v1/provisioned-clusters/preview"), Tags(Tag)]
    [ProducesResponseType<ClusterPreview>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static async Task<IResult> Preview(ProvisionClusterBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return ApiResults.Ok(await dispatcher.SendAsync(new PreviewProvisionedCluster(body.ManagementClusterId ?? Guid.Empty, body.ToInput()), http.ToCaller(), ct));
    }

    /// <summary>Records the request (202); the management cluster is asked once it is committed.</summary>
    [WolverinePost("/api/v1/provisioned-clusters"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static async Task<IResult> Provision(ProvisionClusterBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var result = await dispatcher.SendAsync(new ProvisionClusterCommand(body.ManagementClusterId ?? Guid.Empty, body.ToInput(), body.Reason), http.ToCaller(), ct);
        return Answer(result);
    }

    /// <summary>The cluster as recorded, with its machines and the management cluster's events (live) and its objects as YAML.</summary>
    [WolverineGet("/api/v1/provisioned-clusters/{id}"), Tags(Tag)]
    [ProducesResponseType<ProvisionedClusterDetails>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetProvisionedCluster(id), http.ToCaller(), ct));

    /// <summary>One minor version up: the control plane first, then each pool.</summary>
    [WolverinePost("/api/v1/provisioned-clusters/{id}/upgrade"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Upgrade(Guid id, UpgradeBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return Answer(await dispatcher.SendAsync(new UpgradeProvisionedCluster(id, body.Version ?? "", body.Reason, body.ExpectedVersion), http.ToCaller(), ct));
    }

    [WolverinePut("/api/v1/provisioned-clusters/{id}/node-pools/{pool}/replicas"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Scale(Guid id, string pool, ScalePoolBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        if (body.Replicas is not { } replicas) return ApiResults.Problem(Failure.Invalid("Give the number of nodes.", "replicas"));
        return Answer(await dispatcher.SendAsync(new ScaleNodePool(id, pool, replicas, body.Reason, body.ExpectedVersion), http.ToCaller(), ct));
    }

    /// <summary>Both bounds set the cluster autoscaler's range; neither turns it off for the pool.</summary>
    [WolverinePut("/api/v1/provisioned-clusters/{id}/node-pools/{pool}/autoscaling"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Autoscaling(Guid id, string pool, PoolAutoscalingBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return Answer(await dispatcher.SendAsync(new SetNodePoolAutoscaling(id, pool, body.MinSize, body.MaxSize, body.Reason, body.ExpectedVersion), http.ToCaller(), ct));
    }

    [WolverinePost("/api/v1/provisioned-clusters/{id}/node-pools"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> AddPool(Guid id, AddPoolBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var pool = new NodePoolInput(body.Name, body.MachineType, body.Replicas ?? 1, body.MinSize, body.MaxSize, body.Labels, body.Taints, body.GpusPerNode ?? 0);
        return Answer(await dispatcher.SendAsync(new AddNodePool(id, pool, body.Reason, body.ExpectedVersion), http.ToCaller(), ct));
    }

    /// <summary>`?reason=` says why, for the audit trail.</summary>
    [WolverineDelete("/api/v1/provisioned-clusters/{id}/node-pools/{pool}"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> RemovePool(Guid id, string pool, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? reason) =>
        Answer(await dispatcher.SendAsync(new RemoveNodePool(id, pool, reason), http.ToCaller(), ct));

    /// <summary>Deletes the cluster and its machines: <c>confirm</c> is the cluster's name, typed.</summary>
    [WolverinePost("/api/v1/provisioned-clusters/{id}/delete"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Delete(Guid id, DeleteProvisionedClusterBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return Answer(await dispatcher.SendAsync(new DeleteProvisionedCluster(id, body.Confirm, body.Reason, body.ExpectedVersion), http.ToCaller(), ct));
    }

    private static IResult Answer(Result<Accepted> result) =>
        result.Succeeded
            ? Results.Accepted($"/api/v1/provisioned-clusters/{result.Value!.Id}", result.Value)
            : ApiResults.Problem(result.Failure!);
}
