using System.Text;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Clusters.Listing;
using Cocktail.Application.Clusters.Registering;
using Cocktail.Application.Clusters.RotatingCredentials;
using Cocktail.Application.Clusters.Unregistering;
using Cocktail.Application.Clusters.Updating;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record UpdateClusterRequest(string? Region, Dictionary<string, string>? Labels, long? ExpectedVersion);

public sealed record RotateCredentialsRequest(
    [property: Secret] string? Kubeconfig, string? Context, string? Server, string? CertificateAuthorityData,
    [property: Secret] string? Token, string? ClientCertificateData, [property: Secret] string? ClientKeyData)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>
/// The cluster API. `namespace` and `object` query parameters are read from the request directly: they are C#
/// keywords, which Wolverine's generated binding code cannot use as variable names.
/// </summary>
public static class ClustersEndpoints
{
    /// <summary>Registers a cluster: it must answer with the credentials given, or nothing is registered.</summary>
    [WolverinePost("/api/v1/clusters"), Tags("Clusters")]
    [ProducesResponseType<ClusterItem>(201), ProducesResponseType(400), ProducesResponseType(409)]
    public static async Task<IResult> Register(RegisterCluster? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var accepted = await dispatcher.SendAsync(body, caller, ct);
        if (!accepted.Succeeded) return ApiResults.Problem(accepted.Failure!);
        var cluster = await dispatcher.SendAsync(new GetCluster(accepted.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/clusters/{accepted.Value.Id}", cluster.Value);
    }

    [WolverineGet("/api/v1/clusters"), Tags("Clusters")]
    [ProducesResponseType<Page<ClusterItem>>(200)]
    public static async Task<IResult> List(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] ClusterProvider? provider, [FromQuery] ClusterHealth? status, [FromQuery] string? label,
        [FromQuery] string? search, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusters(provider, status, label, search, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/clusters/{id}"), Tags("Clusters")]
    [ProducesResponseType<ClusterItem>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetCluster(id), http.ToCaller(), ct));

    [WolverinePatch("/api/v1/clusters/{id}"), Tags("Clusters")]
    [ProducesResponseType<ClusterItem>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Update(Guid id, UpdateClusterRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new UpdateCluster(id, body.Region, body.Labels, body.ExpectedVersion), caller, ct);
        return result.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetCluster(id), caller, ct)) : ApiResults.Problem(result.Failure!);
    }

    /// <summary>Replaces the credentials (rotation); the new ones are tried first.</summary>
    [WolverinePut("/api/v1/clusters/{id}/credentials"), Tags("Clusters")]
    [ProducesResponseType<ClusterItem>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> RotateCredentials(Guid id, RotateCredentialsRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new RotateClusterCredentials(id, body.Kubeconfig, body.Context, body.Server,
            body.CertificateAuthorityData, body.Token, body.ClientCertificateData, body.ClientKeyData), caller, ct);
        return result.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetCluster(id), caller, ct)) : ApiResults.Problem(result.Failure!);
    }

    /// <summary>`?reason=` says why, for the audit trail.</summary>
    [WolverineDelete("/api/v1/clusters/{id}"), Tags("Clusters")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> Unregister(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason)
    {
        var result = await dispatcher.SendAsync(new UnregisterCluster(id, reason), http.ToCaller(), ct);
        return result.Succeeded ? Results.NoContent() : ApiResults.Problem(result.Failure!);
    }

    [WolverineGet("/api/v1/clusters/{id}/nodes"), Tags("Clusters")]
    [ProducesResponseType<Page<NodeInfo>>(200)]
    public static async Task<IResult> Nodes(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? search, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusterNodes(id, search, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/clusters/{id}/namespaces"), Tags("Clusters")]
    [ProducesResponseType<Page<NamespaceInfo>>(200)]
    public static async Task<IResult> Namespaces(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? search, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusterNamespaces(id, search, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/clusters/{id}/workloads"), Tags("Clusters")]
    [ProducesResponseType<Page<WorkloadInfo>>(200)]
    public static async Task<IResult> Workloads(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] InventoryKind? kind, [FromQuery] string? search,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusterWorkloads(id, kind, http.QueryValue("namespace"), search, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/clusters/{id}/pods"), Tags("Clusters")]
    [ProducesResponseType<Page<PodInfo>>(200)]
    public static async Task<IResult> Pods(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? node, [FromQuery] string? phase, [FromQuery] string? search,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusterPods(id, http.QueryValue("namespace"), node, phase, search, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/clusters/{id}/services"), Tags("Clusters")]
    [ProducesResponseType<Page<ServiceInfo>>(200)]
    public static async Task<IResult> Services(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusterServices(id, http.QueryValue("namespace"), page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/clusters/{id}/ingresses"), Tags("Clusters")]
    [ProducesResponseType<Page<IngressInfo>>(200)]
    public static async Task<IResult> Ingresses(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusterIngresses(id, http.QueryValue("namespace"), page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    /// <summary>Kubernetes events, newest first.</summary>
    [WolverineGet("/api/v1/clusters/{id}/events"), Tags("Clusters")]
    [ProducesResponseType<Page<KubeEventInfo>>(200)]
    public static async Task<IResult> Events(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? type, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusterEvents(id, type, http.QueryValue("namespace"), http.QueryValue("object"), page ?? 1, pageSize ?? 100), http.ToCaller(), ct));
}
