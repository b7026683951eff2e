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

    [WolverineGet("/api/v1/audit/streams/{streamId}"), Tags("Audit")]
    [ProducesResponseType<StreamState>(200), ProducesResponseType(404)]
    public static async Task<IResult> StateAt(Guid streamId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] DateTimeOffset? at) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetStreamStateAt(streamId, at), http.ToCaller(), ct));
}
