using System.Globalization;
using System.Text;
using System.Text.Json;
using Cocktail.Application.AccessGrants.Investigating;
using Cocktail.Application.Common;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Application.KubernetesAudit.Searching;
using Cocktail.Application.KubernetesAudit.Webhook;
using Cocktail.Infrastructure.KubernetesAudit;
using Cocktail.Web.Auth;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public static class KubernetesAuditEndpoints
{
    /// <summary>
    /// The kube-apiserver audit webhook: an audit.k8s.io/v1 EventList per call, authenticated by the cluster's webhook
    /// secret, idempotent on (auditID, stage). Stored before it answers, so an acknowledged batch is never lost.
    /// A plain endpoint, off the command pipeline: it carries observations, not commands, at thousands per second.
    /// The secret comes as a bearer token (https) or as the last path segment: an API server sends no credentials
    /// over plain http, so that is how the http kubeconfig carries it. Every refusal is recorded with its reason for
    /// the cluster's Audit tab, since an API server only logs it on its own node.
    /// </summary>
    public static void MapAuditIngest(this IEndpointRouteBuilder app)
    {
        Ingest(app.MapPost("/api/v1/audit/ingest/{clusterId:guid}", (Guid clusterId, HttpContext http, CancellationToken ct) =>
            IngestAsync(clusterId, BearerToken(http.Request.Headers.Authorization.ToString()), http, ct)));
        Ingest(app.MapPost("/api/v1/audit/ingest/{clusterId:guid}/{secret}", (Guid clusterId, string secret, HttpContext http, CancellationToken ct) =>
            IngestAsync(clusterId, secret, http, ct)));
    }

    private static void Ingest(RouteHandlerBuilder endpoint) => endpoint
        .WithMetadata(new RequestSizeLimitAttribute(64 * 1024 * 1024))
        .WithTags("Kubernetes audit")
        .AllowAnonymous();

    private static async Task<IResult> IngestAsync(Guid clusterId, string? presented, HttpContext http, CancellationToken ct)
    {
        var services = http.RequestServices;
        var documents = services.GetRequiredService<IDocumentStore>();
        var clock = services.GetRequiredService<TimeProvider>();
        ClusterAuditWebhook? webhook;
        await using (var query = documents.QuerySession()) webhook = await query.LoadAsync<ClusterAuditWebhook>(clusterId, ct);
        if (webhook is null) return Unauthorized();
        if (presented is null || !AuditWebhookSecrets.Matches(webhook, presented))
        {
            await RecordAsync(documents, new AuditWebhookRefusal(clusterId, clock.GetUtcNow(),
                presented is null ? AuditWebhookRefusals.NoCredentials : AuditWebhookRefusals.WrongSecret), ct);
            return Unauthorized();
        }

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, ct);
        var (events, error) = AuditEventListParser.Parse(clusterId, body.GetBuffer().AsSpan(0, (int)body.Length));
        if (error is not null)
        {
            await RecordAsync(documents, new AuditWebhookRefusal(clusterId, clock.GetUtcNow(), AuditWebhookRefusals.Malformed(error)), ct);
            return ApiResults.Problem(Failure.Invalid(error, "body"));
        }
        var directory = services.GetRequiredService<GrantDirectory>();
        var result = await services.GetRequiredService<IKubernetesAuditStore>().IngestAsync(clusterId, await directory.EnrichAsync(clusterId, events, ct), ct);
        if (DeliveryWorthRecording(clusterId, clock.GetUtcNow()))
            await RecordAsync(documents, new AuditWebhookDelivery(clusterId, clock.GetUtcNow(), events.Count), ct);
        return Results.Ok(result);
    }

    /// <summary>
    /// The Audit tab needs "when did the last batch arrive" to the second, not a write per batch: at one a second per
    /// cluster and replica, the record costs nothing next to the batches' own rows (it cost about a tenth of the
    /// ingest throughput when written for every batch).
    /// </summary>
    private static bool DeliveryWorthRecording(Guid clusterId, DateTimeOffset now)
    {
        var last = LastRecordedDelivery.GetOrAdd(clusterId, DateTimeOffset.MinValue);
        return now - last >= TimeSpan.FromSeconds(1) && LastRecordedDelivery.TryUpdate(clusterId, now, last);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, DateTimeOffset> LastRecordedDelivery = new();

    private static IResult Unauthorized() => Results.Problem(statusCode: 401, title: "Unauthorized",
        detail: "Send the cluster's audit webhook secret: as a bearer token over https, or in the URL of the webhook kubeconfig Cocktail gives.");

    private static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > "Bearer ".Length ? header["Bearer ".Length..].Trim() : null;

    /// <summary>Last write wins: several API servers of one cluster may report at once, and any of them is the latest news.</summary>
    private static async Task RecordAsync<T>(IDocumentStore documents, T observed, CancellationToken ct) where T : notnull
    {
        await using var session = documents.LightweightSession();
        session.Store(observed);
        await session.SaveChangesAsync(ct);
    }

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
    public static async Task<IResult> Export(Guid id, HttpContext http, RequestDispatcher dispatcher, IKubernetesAuditStore store,
        TimeProvider clock, CancellationToken ct, [FromQuery] string? format)
    {
        // The search with one row checks the caller, the cluster and the filters exactly as a search would.
        var query = Query(id, http) with { Limit = 1, Before = null };
        var check = await dispatcher.SendAsync(query, http.ToCaller(), ct);
        if (!check.Succeeded) return ApiResults.Problem(check.Failure!);
        var filter = SearchKubernetesAuditHandler.ToFilter(query, clock.GetUtcNow());
        var rows = store.ExportAsync(id, filter, 100_000, ct);
        return format == "json"
            ? Results.Stream(s => WriteJsonAsync(s, rows, ct), "application/json", $"audit-{id:N}.json")
            : Results.Stream(s => WriteCsvAsync(s, rows, ct), "text/csv", $"audit-{id:N}.csv");
    }

    [WolverineGet("/api/v1/clusters/{id}/audit-webhook"), Tags("Kubernetes audit")]
    [ProducesResponseType<AuditWebhookConfig>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> WebhookConfig(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] bool? rotate) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetAuditWebhookConfig(id, $"{http.Request.Scheme}://{http.Request.Host}", rotate ?? false), http.ToCaller(), ct));

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

    private static async Task WriteCsvAsync(Stream stream, IAsyncEnumerable<AuditRecord> rows, CancellationToken ct)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        await writer.WriteLineAsync("timestamp,auditId,stage,verb,user,cocktailUser,grantId,sourceIps,userAgent,resource,subresource,namespace,name,code,requestUri");
        await foreach (var r in rows.WithCancellation(ct))
            await writer.WriteLineAsync(string.Join(',', new[]
            {
                r.Timestamp.ToString("O"), r.AuditId.ToString(), r.Stage, r.Verb, r.User, r.CocktailUser, r.GrantId?.ToString(),
                string.Join(' ', r.SourceIps), r.UserAgent, r.Resource, r.Subresource, r.Namespace, r.Name, r.Code?.ToString(), r.RequestUri,
            }.Select(Csv)));
    }

    private static async Task WriteJsonAsync(Stream stream, IAsyncEnumerable<AuditRecord> rows, CancellationToken ct)
    {
        await using var writer = new Utf8JsonWriter(stream);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        writer.WriteStartArray();
        await foreach (var r in rows.WithCancellation(ct)) JsonSerializer.Serialize(writer, r, options);
        writer.WriteEndArray();
    }

    private static string Csv(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
