using Cocktail.Application.Audit;
using Cocktail.Application.Audit.Searching;
using Cocktail.Application.Audit.Replaying;
using Cocktail.Application.Common;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public static class AuditEndpoints
{
    [WolverineGet("/api/v1/audit/events"), Tags("Audit")]
    [ProducesResponseType<Page<AuditEntry>>(200), ProducesResponseType(400), ProducesResponseType(403)]
    public static async Task<IResult> Search(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, [FromQuery] string? actor, [FromQuery] string? type, [FromQuery] Guid? streamId, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(
            new SearchAuditEvents(from, to, actor, type, streamId, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    /// <summary>Every event type name the audit trail knows (what `type` takes in the search).</summary>
    [WolverineGet("/api/v1/audit/event-types"), Tags("Audit")]
    [ProducesResponseType<IReadOnlyList<string>>(200), ProducesResponseType(403)]
    public static async Task<IResult> EventTypes(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListAuditEventTypes(), http.ToCaller(), ct));

    /// <summary>The stream as it was at a time, or right after a version (`version` wins over `at`).</summary>
    [WolverineGet("/api/v1/audit/streams/{streamId}"), Tags("Audit")]
    [ProducesResponseType<StreamState>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> StateAt(Guid streamId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] DateTimeOffset? at,
        [FromQuery] long? version) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetStreamStateAt(streamId, at, version), http.ToCaller(), ct));
}
