using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.Monitoring.ConfiguringPrometheus;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>
/// Where a cluster's Prometheus is. <c>source</c>: ServiceProxy (serviceNamespace, serviceName, serviceScheme,
/// servicePort: reached through the cluster's API server with its registered credentials), DirectUrl (url, auth
/// None/Bearer/Basic, bearerToken or username and password, caCertificate) or None (removes the location).
/// </summary>
public sealed record ClusterMonitoringRequest(
    string? Source, string? ServiceNamespace, string? ServiceName, string? ServiceScheme, int? ServicePort, string? Url,
    string? Auth, string? Username, [property: Secret] string? BearerToken, [property: Secret] string? Password,
    string? CaCertificate, long? ExpectedVersion)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);

    public ConfigureClusterMonitoring ToCommand(Guid clusterId) => new(clusterId, Source, ServiceNamespace, ServiceName, ServiceScheme,
        ServicePort, Url, Auth, Username, BearerToken, Password, CaCertificate, ExpectedVersion);
}

public static class MonitoringEndpoints
{
    /// <summary>The settings without any secret (only whether one is stored), and a detected Prometheus while none is set.</summary>
    [WolverineGet("/api/v1/clusters/{id}/monitoring"), Tags("Monitoring")]
    [ProducesResponseType<ClusterMonitoringSettings>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetMonitoring(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(await dispatcher.SendAsync(new GetClusterMonitoring(id), http.ToCaller(), ct));
    }

    /// <summary>Platform admins set (or, with source None, remove) where the cluster's Prometheus is.</summary>
    [WolverinePut("/api/v1/clusters/{id}/monitoring"), Tags("Monitoring")]
    [ProducesResponseType<ClusterMonitoringSettings>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> PutMonitoring(Guid id, ClusterMonitoringRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(body.ToCommand(id), caller, ct);
        return result.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetClusterMonitoring(id), caller, ct)) : ApiResults.Problem(result.Failure!);
    }

    /// <summary>
    /// Asks Prometheus for its build info: the saved location without a body, else the given settings (not saved).
    /// 503 when it cannot be reached, 403 when it (or the API server) refuses, 400 for settings that are not whole.
    /// </summary>
    [WolverinePost("/api/v1/clusters/{id}/monitoring/test"), Tags("Monitoring")]
    [ProducesResponseType<PrometheusConnectionTest>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(503)]
    public static async Task<IResult> TestMonitoring(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        ClusterMonitoringRequest? body = null;
        if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            try { body = await http.Request.ReadFromJsonAsync<ClusterMonitoringRequest>(ct); }
            catch (System.Text.Json.JsonException) { return ApiResults.Problem(Failure.Invalid("The body is not JSON monitoring settings.", "body")); }
        }
        return ApiResults.Ok(await dispatcher.SendAsync(new TestClusterMonitoring(id, body?.ToCommand(id)), http.ToCaller(), ct));
    }
}
