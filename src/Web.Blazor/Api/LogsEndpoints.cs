using System.Globalization;
using Cocktail.Application.Common;
using Cocktail.Application.Logs;
using Cocktail.Application.Logs.Exporting;
using Cocktail.Application.Logs.Searching;
using Cocktail.Application.Logs.SettingRetention;
using Cocktail.Application.Logs.Tailing;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>
/// Application logs: search, context, histogram, live tail and export of the lines the caller may read (members: their
/// workspaces' service maps; platform admins and auditors: all), and each workspace's retention.
/// Filters (query string): from, to (ISO 8601) or window (5m, 15m, 1h, 6h, 24h, 7d; default 1h), q (words, "phrases",
/// -exclusions), clusterId, workspaceId, serviceMapId, workload, pod, container, minSeverity.
/// </summary>
public static class LogsEndpoints
{
    [WolverineGet("/api/v1/logs"), Tags("Logs")]
    [ProducesResponseType<LogPage>(200), ProducesResponseType(400), ProducesResponseType(401)]
    public static async Task<IResult> Search(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var f = Filters.Read(http);
        var limit = f.Int("limit");
        if (f.Problem is { } problem) return problem;
        return ApiResults.Ok(await dispatcher.SendAsync(new SearchLogs(f.From, f.To, f.Window, f.Q, f.ClusterId, f.WorkspaceId, f.ServiceMapId, f.Workload,
            f.Pod, f.Container, f.MinSeverity, limit ?? 100, http.QueryValue("before")), http.ToCaller(), ct));
    }

    /// <summary>The lines the same pod's container wrote around one line (`before` and `after` lines, default 20), oldest first.</summary>
    [WolverineGet("/api/v1/logs/lines/{lineId}/context"), Tags("Logs")]
    [ProducesResponseType<IReadOnlyList<LogLine>>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> Context(string lineId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var f = Filters.Read(http);
        var (before, after) = (f.Int("before"), f.Int("after"));
        if (f.Problem is { } problem) return problem;
        return ApiResults.Ok(await dispatcher.SendAsync(new GetLogContext(lineId, before ?? 20, after ?? 20), http.ToCaller(), ct));
    }

    /// <summary>Matches over the range in `buckets` equal buckets (default 60).</summary>
    [WolverineGet("/api/v1/logs/histogram"), Tags("Logs")]
    [ProducesResponseType<IReadOnlyList<LogHistogramBucket>>(200), ProducesResponseType(400)]
    public static async Task<IResult> Histogram(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var f = Filters.Read(http);
        var buckets = f.Int("buckets");
        if (f.Problem is { } problem) return problem;
        return ApiResults.Ok(await dispatcher.SendAsync(new GetLogHistogram(f.From, f.To, f.Window, f.Q, f.ClusterId, f.WorkspaceId, f.ServiceMapId, f.Workload,
            f.Pod, f.Container, f.MinSeverity, buckets ?? 60), http.ToCaller(), ct));
    }

    /// <summary>
    /// Live tail as a long poll: the lines after `after` (the cursor of the previous answer; none: the newest lines of the
    /// last 15 minutes), oldest first. With `wait` (seconds, up to 30) the answer waits until a line arrives.
    /// </summary>
    [WolverineGet("/api/v1/logs/tail"), Tags("Logs")]
    [ProducesResponseType<LogTail>(200), ProducesResponseType(400)]
    public static async Task<IResult> Tail(HttpContext http, RequestDispatcher dispatcher, LogArrivals arrivals, TimeProvider clock, CancellationToken ct)
    {
        var f = Filters.Read(http);
        var (waitSeconds, limit) = (f.Int("wait"), f.Int("limit"));
        if (f.Problem is { } problem) return problem;
        var wait = waitSeconds ?? 0;
        if (wait is < 0 or > 30)
            return ApiResults.Problem(Failure.Invalid("'wait' is 0 to 30 seconds.", "wait"));
        var query = new TailLogs(f.Q, f.ClusterId, f.WorkspaceId, f.ServiceMapId, f.Workload, f.Pod, f.Container, f.MinSeverity, http.QueryValue("after"),
            limit ?? 200);
        var until = clock.GetUtcNow().AddSeconds(wait);
        while (true)
        {
            // Waiting starts before asking, so a batch stored in between is not missed.
            var arrived = arrivals.WaitAsync(TimeSpan.FromSeconds(1), ct);
            var result = await dispatcher.SendAsync(query, http.ToCaller(), ct);
            if (!result.Succeeded || result.Value!.Items.Count > 0 || clock.GetUtcNow() >= until) return ApiResults.Ok(result);
            query = query with { After = result.Value.Cursor };
            await arrived;
        }
    }

    /// <summary>The same filters as the search, every match (up to 100,000 lines) as CSV (`format=csv`, default) or JSON; each export is recorded.</summary>
    [WolverineGet("/api/v1/logs/export"), Tags("Logs")]
    public static async Task<IResult> Export(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var f = Filters.Read(http);
        if (f.Problem is { } problem) return problem;
        var format = http.QueryValue("format");
        if (format is not (null or "csv" or "json")) return ApiResults.Problem(Failure.Invalid("Formats are csv and json.", "format"));
        var export = await dispatcher.SendAsync(new ExportLogs(f.From, f.To, f.Window, f.Q, f.ClusterId, f.WorkspaceId, f.ServiceMapId, f.Workload, f.Pod,
            f.Container, f.MinSeverity, format == "json" ? LogExportFormat.Json : LogExportFormat.Csv), http.ToCaller(), ct);
        if (!export.Succeeded) return ApiResults.Problem(export.Failure!);
        return Results.Stream(async stream => await export.Value!.WriteAsync(stream, ct), export.Value!.ContentType, export.Value.FileName);
    }

    [WolverineGet("/api/v1/workspaces/{id}/log-retention"), Tags("Logs")]
    [ProducesResponseType<LogRetentionInfo>(200), ProducesResponseType(404)]
    public static async Task<IResult> Retention(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetLogRetention(id), http.ToCaller(), ct));

    /// <summary>Workspace admins and platform admins: `{ "days": 14 }`, one of 1, 3, 7, 14, 30, 90; lines received from now on are kept that long.</summary>
    [WolverinePut("/api/v1/workspaces/{id}/log-retention"), Tags("Logs")]
    [ProducesResponseType<LogRetentionInfo>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> SetRetention(Guid id, LogRetentionRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var set = await dispatcher.SendAsync(new SetLogRetention(id, body.Days, body.ExpectedVersion), caller, ct);
        if (!set.Succeeded) return ApiResults.Problem(set.Failure!);
        return ApiResults.Ok(await dispatcher.SendAsync(new GetLogRetention(id), caller, ct));
    }

    /// <summary>The query string's filters, each checked: a filter that does not parse is a 400, never silently dropped (that would widen the search).</summary>
    private sealed class Filters(HttpContext http)
    {
        private readonly HttpContext _http = http;
        private readonly Dictionary<string, string[]> _errors = [];

        public DateTimeOffset? From { get; private set; }
        public DateTimeOffset? To { get; private set; }
        public string? Window { get; private set; }
        public string? Q { get; private set; }
        public Guid? ClusterId { get; private set; }
        public Guid? WorkspaceId { get; private set; }
        public Guid? ServiceMapId { get; private set; }
        public string? Workload { get; private set; }
        public string? Pod { get; private set; }
        public string? Container { get; private set; }
        public string? MinSeverity { get; private set; }
        public IResult? Problem => _errors.Count == 0 ? null
            : ApiResults.Problem(new Failure(FailureKind.Invalid, "The request has invalid fields.", _errors));

        public static Filters Read(HttpContext http)
        {
            var f = new Filters(http);
            f.From = f.Time("from");
            f.To = f.Time("to");
            f.Window = http.QueryValue("window");
            f.Q = http.Request.Query["q"].ToString() is { Length: > 0 } q ? q : null;
            f.ClusterId = f.Id("clusterId");
            f.WorkspaceId = f.Id("workspaceId");
            f.ServiceMapId = f.Id("serviceMapId");
            f.Workload = http.QueryValue("workload");
            f.Pod = http.QueryValue("pod");
            f.Container = http.QueryValue("container");
            f.MinSeverity = http.QueryValue("minSeverity");
            return f;
        }

        public int? Int(string name)
        {
            if (_http.QueryValue(name) is not { } text) return null;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
            _errors[name] = [$"'{name}' is a whole number."];
            return null;
        }

        private DateTimeOffset? Time(string name)
        {
            if (_http.QueryValue(name) is not { } text) return null;
            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)) return value;
            _errors[name] = [$"'{name}' is a time in ISO 8601 (2026-01-31T12:00:00Z)."];
            return null;
        }

        private Guid? Id(string name)
        {
            if (_http.QueryValue(name) is not { } text) return null;
            if (Guid.TryParse(text, out var value)) return value;
            _errors[name] = [$"'{name}' is an id."];
            return null;
        }
    }
}

public sealed record LogRetentionRequest(int Days, long? ExpectedVersion = null);
