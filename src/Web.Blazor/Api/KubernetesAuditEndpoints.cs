using System.Globalization;
using Cocktail.Application.AccessGrants.Investigating;
using Cocktail.Application.Common;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Application.KubernetesAudit.Exporting;
using Cocktail.Application.KubernetesAudit.Ingesting;
using Cocktail.Application.KubernetesAudit.Searching;
using Cocktail.Application.KubernetesAudit.SettingUpWebhook;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public static class KubernetesAuditEndpoints
{
    /// <summary>
    /// The kube-apiserver audit webhook (<see cref="IngestAuditEvents"/>). A plain endpoint rather than a Wolverine one:
    /// its body is not JSON to bind but a batch read once, into a pooled buffer, only after the sender is known.
    /// The secret comes as a bearer token (https) or as the last path segment: an API server sends no credentials
    /// over plain http, so that is how the http kubeconfig carries it.
    /// </summary>
    public static void MapAuditIngest(this IEndpointRouteBuilder app)
    {
        Ingest(app.MapPost("/api/v1/audit/ingest/{clusterId:guid}", (Guid clusterId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
            IngestAsync(clusterId, BearerToken(http.Request.Headers.Authorization.ToString()), http, dispatcher, ct)));
        Ingest(app.MapPost("/api/v1/audit/ingest/{clusterId:guid}/{secret}",
            (Guid clusterId, string secret, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) => IngestAsync(clusterId, secret, http, dispatcher, ct)));
    }

    private static void Ingest(RouteHandlerBuilder endpoint) => endpoint
        .WithMetadata(new RequestSizeLimitAttribute(64 * 1024 * 1024))
        .WithTags("Kubernetes audit")
        .AllowAnonymous();

    private static async Task<IResult> IngestAsync(Guid clusterId, string? secret, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        using var body = new PooledRequestBody(http.Request);
        return ApiResults.Ok(await dispatcher.SendAsync(new IngestAuditEvents(clusterId, secret, body), http.ToCaller(), ct));
    }

    private static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > "Bearer ".Length ? header["Bearer ".Length..].Trim() : null;

    [WolverineGet("/api/v1/clusters/{id}/audit"), Tags("Kubernetes audit")]
    [ProducesResponseType<AuditPage>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Search(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(Query(id, http), http.ToCaller(), ct));

    [WolverineGet("/api/v1/clusters/{id}/audit/{auditId}"), Tags("Kubernetes audit")]
    [ProducesResponseType<IReadOnlyList<AuditRecordDetail>>(200), ProducesResponseType(404)]
    public static async Task<IResult> Detail(Guid id, Guid auditId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetKubernetesAuditRecord(id, auditId), http.ToCaller(), ct));

    /// <summary>The same filters as the search, every match (up to 100,000 rows) as CSV or JSON.</summary>
    [WolverineGet("/api/v1/clusters/{id}/audit/export"), Tags("Kubernetes audit")]
    public static async Task<IResult> Export(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? format)
    {
        var q = Query(id, http);
        var export = await dispatcher.SendAsync(new ExportKubernetesAudit(id, q.From, q.To, q.Window, q.User, q.Verb, q.Resource, q.Namespace, q.Name, q.Code,
            q.CocktailUser, format == "json" ? AuditExportFormat.Json : AuditExportFormat.Csv), http.ToCaller(), ct);
        if (!export.Succeeded) return ApiResults.Problem(export.Failure!);
        return Results.Stream(stream => export.Value!.WriteAsync(stream, ct), export.Value!.ContentType, export.Value.FileName);
    }

    /// <summary>Only reads: a cluster without a secret yet answers 404 saying so (<see cref="RotateWebhookSecret"/> creates one).</summary>
    [WolverineGet("/api/v1/clusters/{id}/audit-webhook"), Tags("Kubernetes audit")]
    [ProducesResponseType<AuditWebhookConfig>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> WebhookConfig(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        // A GET never writes: a client of the old ?rotate=true is told where rotation went rather than silently not rotating.
        if (http.Request.Query.ContainsKey("rotate"))
            return ApiResults.Problem(Failure.Invalid("A GET never rotates: POST /api/v1/clusters/{id}/audit-webhook/rotate does.", "rotate"));
        return ApiResults.Ok(await dispatcher.SendAsync(new GetAuditWebhookConfig(id, BaseUrl(http)), http.ToCaller(), ct));
    }

    /// <summary>A new secret for the cluster's audit webhook (the first, or one replacing the current one, which stops working at once).</summary>
    [WolverinePost("/api/v1/clusters/{id}/audit-webhook/rotate"), Tags("Kubernetes audit")]
    [ProducesResponseType<AuditWebhookConfig>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> RotateWebhookSecret(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        http.Response.Headers.CacheControl = "no-store";
        return ApiResults.Ok(await dispatcher.SendAsync(new RotateAuditWebhookSecret(id, BaseUrl(http)), http.ToCaller(), ct));
    }

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}";

    [WolverineGet("/api/v1/clusters/{id}/audit-webhook/status"), Tags("Kubernetes audit")]
    [ProducesResponseType<AuditWebhookStatusView>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> WebhookStatus(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetAuditWebhookStatus(id), http.ToCaller(), ct));

    [WolverineGet("/api/v1/investigations/access"), Tags("Investigations")]
    [ProducesResponseType<AccessAtTime>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> WhoCouldAccess(HttpContext http, RequestDispatcher dispatcher, TimeProvider clock, CancellationToken ct,
        [FromQuery] Guid clusterId, [FromQuery] Guid? serviceMapId, [FromQuery] DateTimeOffset? at) =>
        ApiResults.Ok(await dispatcher.SendAsync(new WhoCouldAccess(clusterId, serviceMapId, at ?? clock.GetUtcNow()), http.ToCaller(), ct));

    [WolverineGet("/api/v1/investigations/activity"), Tags("Investigations")]
    [ProducesResponseType<ActivityTimeline>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Activity(HttpContext http, RequestDispatcher dispatcher, TimeProvider clock, CancellationToken ct,
        [FromQuery] string? user, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, [FromQuery] int? limit)
    {
        var now = clock.GetUtcNow();
        return ApiResults.Ok(await dispatcher.SendAsync(new UserActivity(user ?? "", from ?? now.AddDays(-1), to ?? now, limit ?? 1000), http.ToCaller(), ct));
    }

    private static SearchKubernetesAudit Query(Guid clusterId, HttpContext http)
    {
        string? S(string name) => http.QueryValue(name);
        DateTimeOffset? T(string name) => DateTimeOffset.TryParse(S(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        int? I(string name) => int.TryParse(S(name), out var i) ? i : null;
        return new SearchKubernetesAudit(clusterId, T("from"), T("to"), S("window"), S("user"), S("verb"), S("resource"), S("namespace"),
            S("name"), I("code"), S("cocktailUser"), I("limit") ?? 500, S("before"));
    }
}
