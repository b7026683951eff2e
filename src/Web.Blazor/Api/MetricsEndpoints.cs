using Cocktail.Application.Common;
using Cocktail.Application.Monitoring.Charting;
using Cocktail.Application.Monitoring.ComparingQuotaUsage;
using Cocktail.Application.Monitoring.LiveUsage;
using Cocktail.Application.Monitoring.ViewingFleet;
using Cocktail.Domain.Monitoring.Charts;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>
/// Every chart's numbers (from the cluster's Prometheus, confined to what the caller may see), the figures of now (from
/// metrics.k8s.io), the fleet overview and a workspace's use of its quotas. Charts take `range` (1h, 6h, 24h, 7d) or
/// `start` and `end`; no Prometheus for the cluster answers 409 saying how to set one, one that does not answer 503,
/// one that refuses Cocktail's credentials 403.
/// </summary>
public static class MetricsEndpoints
{
    /// <summary>The charts there are: name, title and unit.</summary>
    [WolverineGet("/api/v1/metrics/charts"), Tags("Metrics")]
    [ProducesResponseType<IReadOnlyList<ChartInfo>>(200)]
    public static Task<IResult> Charts(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        Send(new ListCharts(), http, dispatcher, ct);

    /// <summary>Per cluster the caller may see: CPU, memory, GPU, pods and storage used against capacity.</summary>
    [WolverineGet("/api/v1/metrics/fleet"), Tags("Metrics")]
    [ProducesResponseType<FleetMetrics>(200), ProducesResponseType(400)]
    public static async Task<IResult> Fleet(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? search,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetFleetMetrics(search, page ?? 1, pageSize ?? 100), http.ToCaller(), ct));

    [WolverineGet("/api/v1/clusters/{id}/metrics/{chart}"), Tags("Metrics")]
    [ProducesResponseType<ChartData>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> ClusterChart(Guid id, string chart, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? range, [FromQuery] DateTimeOffset? start, [FromQuery] DateTimeOffset? end) =>
        Send(new GetChart(MetricsScope.Cluster, id, chart, range, start, end), http, dispatcher, ct);

    [WolverineGet("/api/v1/clusters/{id}/nodes/{node}/metrics/{chart}"), Tags("Metrics")]
    [ProducesResponseType<ChartData>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> NodeChart(Guid id, string node, string chart, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? range, [FromQuery] DateTimeOffset? start, [FromQuery] DateTimeOffset? end) =>
        Send(new GetChart(MetricsScope.Node, id, chart, range, start, end, Node: node), http, dispatcher, ct);

    /// <summary>A workspace's chart on one of its clusters (`clusterId`, needed when it has several).</summary>
    [WolverineGet("/api/v1/workspaces/{id}/metrics/{chart}"), Tags("Metrics")]
    [ProducesResponseType<ChartData>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> WorkspaceChart(Guid id, string chart, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] Guid? clusterId, [FromQuery] string? range, [FromQuery] DateTimeOffset? start, [FromQuery] DateTimeOffset? end) =>
        Send(new GetChart(MetricsScope.Workspace, id, chart, range, start, end, ClusterId: clusterId), http, dispatcher, ct);

    [WolverineGet("/api/v1/service-maps/{id}/metrics/{chart}"), Tags("Metrics")]
    [ProducesResponseType<ChartData>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> ServiceMapChart(Guid id, string chart, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? range, [FromQuery] DateTimeOffset? start, [FromQuery] DateTimeOffset? end) =>
        Send(new GetChart(MetricsScope.ServiceMap, id, chart, range, start, end), http, dispatcher, ct);

    [WolverineGet("/api/v1/workloads/{id}/metrics/{chart}"), Tags("Metrics")]
    [ProducesResponseType<ChartData>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> WorkloadChart(Guid id, string chart, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? range, [FromQuery] DateTimeOffset? start, [FromQuery] DateTimeOffset? end) =>
        Send(new GetChart(MetricsScope.Workload, id, chart, range, start, end), http, dispatcher, ct);

    /// <summary>CPU and memory each node uses now (metrics.k8s.io).</summary>
    [WolverineGet("/api/v1/clusters/{id}/live-usage"), Tags("Metrics")]
    [ProducesResponseType<LiveUsageFigures>(200), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> ClusterUsage(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        Send(new GetLiveUsage(MetricsScope.Cluster, id), http, dispatcher, ct);

    /// <summary>CPU and memory each pod on the node uses now.</summary>
    [WolverineGet("/api/v1/clusters/{id}/nodes/{node}/live-usage"), Tags("Metrics")]
    [ProducesResponseType<LiveUsageFigures>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> NodeUsage(Guid id, string node, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        Send(new GetLiveUsage(MetricsScope.Node, id, node), http, dispatcher, ct);

    [WolverineGet("/api/v1/workspaces/{id}/live-usage"), Tags("Metrics")]
    [ProducesResponseType<LiveUsageFigures>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> WorkspaceUsage(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] Guid? clusterId) =>
        Send(new GetLiveUsage(MetricsScope.Workspace, id, ClusterId: clusterId), http, dispatcher, ct);

    [WolverineGet("/api/v1/service-maps/{id}/live-usage"), Tags("Metrics")]
    [ProducesResponseType<LiveUsageFigures>(200), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> ServiceMapUsage(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        Send(new GetLiveUsage(MetricsScope.ServiceMap, id), http, dispatcher, ct);

    [WolverineGet("/api/v1/workloads/{id}/live-usage"), Tags("Metrics")]
    [ProducesResponseType<LiveUsageFigures>(200), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(503)]
    public static Task<IResult> WorkloadUsage(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        Send(new GetLiveUsage(MetricsScope.Workload, id), http, dispatcher, ct);

    /// <summary>Per cluster of the workspace: each quota, what its service maps were given and what they use now.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/quota-usage"), Tags("Metrics")]
    [ProducesResponseType<IReadOnlyList<ClusterQuotaUsage>>(200), ProducesResponseType(404)]
    public static Task<IResult> QuotaUsage(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        Send(new GetWorkspaceQuotaUsage(id), http, dispatcher, ct);

    private static async Task<IResult> Send<T>(IRequest<T> request, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(request, http.ToCaller(), ct));
}
