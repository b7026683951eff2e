using Cocktail.Application.Common;
using Cocktail.Application.TerminalSessions;
using Cocktail.Application.TerminalSessions.Listing;
using Cocktail.Application.TerminalSessions.Relaying;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>Recorded web-terminal sessions, and the terminal's WebSocket itself.</summary>
public static class TerminalSessionsEndpoints
{
    public const string SocketPath = "/terminal/ws";

    [WolverineGet("/api/v1/terminal-sessions"), Tags("Terminal")]
    [ProducesResponseType<Page<TerminalSessionView>>(200)]
    public static async Task<IResult> List(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListTerminalSessions(page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/terminal-sessions/{id}"), Tags("Terminal")]
    [ProducesResponseType<TerminalSessionView>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetTerminalSession(id), http.ToCaller(), ct));

    /// <summary>The session's output as an asciicast v2 file (asciinema plays it).</summary>
    [WolverineGet("/api/v1/terminal-sessions/{id}/recording"), Tags("Terminal")]
    [ProducesResponseType(200), ProducesResponseType(404)]
    public static async Task<IResult> Recording(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var file = await dispatcher.SendAsync(new GetTerminalRecording(id), http.ToCaller(), ct);
        if (!file.Succeeded) return ApiResults.Problem(file.Failure!);
        http.Response.Headers.CacheControl = "no-store";
        return Results.File(System.Text.Encoding.UTF8.GetBytes(file.Value!.Cast), "application/x-asciicast", file.Value.FileName);
    }

    /// <summary>
    /// The console's terminal: <c>GET /terminal/ws?clusterId=&amp;namespace=&amp;pod=&amp;container=&amp;command=..&amp;cols=&amp;rows=</c>
    /// upgraded to a WebSocket, signed in by the console's cookie (its Origin checked at the edge) or an API token.
    /// Refusals (role, bad input) arrive as an <c>error</c> message in the terminal; nothing reaches the cluster then.
    /// </summary>
    public static IEndpointRouteBuilder MapTerminalSocket(this IEndpointRouteBuilder app)
    {
        app.MapGet(SocketPath, async (HttpContext http, TerminalRelay relay, CancellationToken ct) =>
        {
            if (!http.WebSockets.IsWebSocketRequest)
                return Results.Problem(statusCode: 400, title: "Bad request", detail: "Open the terminal as a WebSocket.");
            var q = http.Request.Query;
            Guid.TryParse(q["clusterId"], out var clusterId);
            var request = new TerminalRequest(clusterId, q["namespace"].ToString(), q["pod"].ToString(), q["container"].ToString(),
                q["command"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).Take(64).ToList(),
                int.TryParse(q["cols"], out var cols) ? Math.Clamp(cols, 1, 1000) : 80, int.TryParse(q["rows"], out var rows) ? Math.Clamp(rows, 1, 1000) : 24);
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            await relay.RunAsync(socket, http.ToCaller(), request, ct);
            return Results.Empty;
        }).RequireAuthorization().ExcludeFromDescription();
        return app;
    }
}
