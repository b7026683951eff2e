using Cocktail.Application.Alerts;
using Cocktail.Application.Alerts.Acknowledging;
using Cocktail.Application.Alerts.EditingRules;
using Cocktail.Application.Alerts.Listing;
using Cocktail.Application.Alerts.ListingRules;
using Cocktail.Application.Alerts.ReceivingAlertmanager;
using Cocktail.Application.Alerts.Silencing;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>A custom rule, or a built-in's tuning (threshold, for, severity, enabled); <c>for</c> is a duration such as "5m".</summary>
public sealed record AlertRuleBody(
    Guid? WorkspaceId, string? Name, string? Expression, string? For, AlertSeverity Severity, Dictionary<string, string>? Labels, string? Summary,
    double? Threshold, bool Enabled = true, long? ExpectedVersion = null);

public sealed record AcknowledgeBody(string? Note);

public sealed record SilenceBody(Guid? WorkspaceId, IReadOnlyList<LabelMatcher>? Matchers, DateTimeOffset Until, string? Reason);

/// <summary>
/// Alert rules, alerts and silences of a workspace (<c>workspaceId</c>) or of the platform (none), and the
/// per-cluster Alertmanager webhook.
/// </summary>
public static class AlertsEndpoints
{
    public const long MaxAlertmanagerBody = 1024 * 1024;

    [WolverineGet("/api/v1/alert-rules"), Tags("Alerts")]
    [ProducesResponseType<IReadOnlyList<AlertRuleItem>>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> ListRules(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] Guid? workspaceId) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListAlertRules(workspaceId), http.ToCaller(), ct));

    /// <summary>A custom PromQL rule; a workspace's expression is confined to its service maps' namespaces or refused (400, <c>expression</c>).</summary>
    [WolverinePost("/api/v1/alert-rules"), Tags("Alerts")]
    [ProducesResponseType<AlertRuleItem>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> CreateRule(AlertRuleBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new CreateAlertRule(body.WorkspaceId, body.Name, body.Expression, body.For, body.Severity, body.Labels,
            body.Summary, body.Enabled), caller, ct);
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        return Results.Created($"/api/v1/alert-rules/{result.Value!.Id}", await RuleAsync(body.WorkspaceId, result.Value.Id, caller, dispatcher, ct));
    }

    /// <summary>Edits a custom rule or tunes a built-in (give the built-in's id from the list and its <c>workspaceId</c>).</summary>
    [WolverinePut("/api/v1/alert-rules/{id}"), Tags("Alerts")]
    [ProducesResponseType<AlertRuleItem>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> ChangeRule(Guid id, AlertRuleBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new ChangeAlertRule(id, body.WorkspaceId, body.Name, body.Expression, body.For, body.Severity, body.Labels,
            body.Summary, body.Threshold, body.Enabled, body.ExpectedVersion), caller, ct);
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        return Results.Ok(await RuleAsync(body.WorkspaceId, id, caller, dispatcher, ct));
    }

    [WolverineDelete("/api/v1/alert-rules/{id}"), Tags("Alerts")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> DeleteRule(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        WorkspacesEndpoints.NoContent(await dispatcher.SendAsync(new DeleteAlertRule(id), http.ToCaller(), ct));

    /// <summary>Firing now (<c>state=firing</c>, the default) or the history (<c>state=all</c>), newest first.</summary>
    [WolverineGet("/api/v1/alerts"), Tags("Alerts")]
    [ProducesResponseType<Page<AlertView>>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> ListAlerts(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] Guid? workspaceId,
        [FromQuery] string? state, [FromQuery] AlertSeverity? severity, [FromQuery] Guid? clusterId, [FromQuery] Guid? serviceMapId,
        [FromQuery] int? page, [FromQuery] int? pageSize)
    {
        if (state is not (null or "firing" or "all"))
            return ApiResults.Problem(Failure.Invalid("state is 'firing' or 'all'.", "state"));
        return ApiResults.Ok(await dispatcher.SendAsync(new ListAlerts(workspaceId, state != "all", severity, clusterId, serviceMapId, page ?? 1, pageSize ?? 50),
            http.ToCaller(), ct));
    }

    [WolverinePost("/api/v1/alerts/{id}/acknowledge"), Tags("Alerts")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Acknowledge(Guid id, AcknowledgeBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        WorkspacesEndpoints.NoContent(await dispatcher.SendAsync(new AcknowledgeAlert(id, body?.Note), http.ToCaller(), ct));

    [WolverineGet("/api/v1/silences"), Tags("Alerts")]
    [ProducesResponseType<IReadOnlyList<SilenceView>>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> ListSilences(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] Guid? workspaceId,
        [FromQuery] bool? includeEnded) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListSilences(workspaceId, includeEnded ?? false), http.ToCaller(), ct));

    /// <summary>Matchers (<c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>) on the alerts' labels, <c>alertname</c> and <c>severity</c>.</summary>
    [WolverinePost("/api/v1/silences"), Tags("Alerts")]
    [ProducesResponseType<SilenceView>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Silence(SilenceBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(new SilenceAlerts(body.WorkspaceId, body.Matchers, body.Until, body.Reason), caller, ct);
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        var list = await dispatcher.SendAsync(new ListSilences(body.WorkspaceId, true), caller, ct);
        return Results.Created($"/api/v1/silences/{result.Value!.Id}", list.Value?.FirstOrDefault(s => s.Id == result.Value.Id));
    }

    /// <summary>Only reads: whether the cluster has an Alertmanager secret, and where to send. Never the secret.</summary>
    [WolverineGet("/api/v1/clusters/{id}/alertmanager-webhook"), Tags("Alerts")]
    [ProducesResponseType<AlertmanagerWebhookStatus>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> AlertmanagerWebhook(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetAlertmanagerWebhook(id, BaseUrl(http)), http.ToCaller(), ct));

    /// <summary>A new secret for the cluster's Alertmanager (shown this once); the previous one stops working at once.</summary>
    [WolverinePost("/api/v1/clusters/{id}/alertmanager-webhook/rotate"), Tags("Alerts")]
    [ProducesResponseType<AlertmanagerWebhookSecret>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> RotateAlertmanagerSecret(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(await dispatcher.SendAsync(new RotateAlertmanagerSecret(id, BaseUrl(http)), http.ToCaller(), ct));
    }

    /// <summary>
    /// Alertmanager's webhook receiver (payload version 4), authenticated by the cluster's secret as a bearer token.
    /// A plain endpoint: the body is read, bounded, only once the sender is known.
    /// </summary>
    public static void MapAlertmanagerWebhook(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/clusters/{clusterId:guid}/alertmanager", async (Guid clusterId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
            {
                using var body = new PooledRequestBody(http.Request);
                return ApiResults.Ok(await dispatcher.SendAsync(new ReceiveAlertmanagerAlerts(clusterId, BearerToken(http.Request.Headers.Authorization.ToString()), body),
                    http.ToCaller(), ct));
            })
            .WithMetadata(new RequestSizeLimitAttribute(MaxAlertmanagerBody))
            .WithTags("Alerts")
            .AllowAnonymous();

    private static async Task<AlertRuleItem?> RuleAsync(Guid? workspaceId, Guid id, Caller caller, RequestDispatcher dispatcher, CancellationToken ct) =>
        (await dispatcher.SendAsync(new ListAlertRules(workspaceId), caller, ct)).Value?.FirstOrDefault(r => r.Id == id);

    private static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > "Bearer ".Length ? header["Bearer ".Length..].Trim() : null;

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}";
}
