using System.Globalization;
using Cocktail.Application.Common;
using Cocktail.Application.Logs;
using Cocktail.Application.Logs.Searching;
using Cocktail.Application.Logs.Tailing;
using Cocktail.Web.Session;
using Microsoft.AspNetCore.WebUtilities;

namespace Cocktail.Web.Components.Pages.Logs;

/// <summary>
/// The Logs page's calls to the Application's log queries, in one place: the window is fixed by the page when a search
/// starts, so "Load older", the histogram and the export all read the same range.
/// </summary>
public static class LogQueries
{
    public static Task<Result<LogPage>> SearchAsync(this ConsoleSession session, LogFilter f, DateTimeOffset from, DateTimeOffset to, int limit,
        string? before, CancellationToken ct = default) =>
        session.SendAsync(new SearchLogs(from, to, null, f.Text, f.Cluster, f.Workspace, f.ServiceMap, f.Workload, f.Pod, f.Container, Severity(f),
            limit, before), ct);

    public static Task<Result<IReadOnlyList<LogHistogramBucket>>> HistogramAsync(this ConsoleSession session, LogFilter f, DateTimeOffset from,
        DateTimeOffset to, int buckets, CancellationToken ct = default) =>
        session.SendAsync(new GetLogHistogram(from, to, null, f.Text, f.Cluster, f.Workspace, f.ServiceMap, f.Workload, f.Pod, f.Container,
            Severity(f), buckets), ct);

    public static Task<Result<IReadOnlyList<LogLine>>> ContextAsync(this ConsoleSession session, string lineId, int around, CancellationToken ct = default) =>
        session.SendAsync(new GetLogContext(lineId, around, around), ct);

    /// <summary>Lines newer than <paramref name="after"/>, oldest first, and the cursor to ask with next.</summary>
    public static Task<Result<LogTail>> TailAsync(this ConsoleSession session, LogFilter f, string? after, int limit,
        CancellationToken ct = default) =>
        session.SendAsync(new TailLogs(f.Text, f.Cluster, f.Workspace, f.ServiceMap, f.Workload, f.Pod, f.Container, Severity(f), after, limit), ct);

    /// <summary>The export's download (a GET the browser follows with its cookie; the export is recorded as an event there).</summary>
    public static string ExportHref(LogFilter f, DateTimeOffset from, DateTimeOffset to, string format)
    {
        var query = new Dictionary<string, string?>
        {
            ["format"] = format, ["from"] = from.ToString("O", CultureInfo.InvariantCulture), ["to"] = to.ToString("O", CultureInfo.InvariantCulture),
            ["q"] = f.Text, ["clusterId"] = f.Cluster?.ToString(), ["workspaceId"] = f.Workspace?.ToString(), ["serviceMapId"] = f.ServiceMap?.ToString(),
            ["workload"] = f.Workload, ["pod"] = f.Pod, ["container"] = f.Container, ["minSeverity"] = Severity(f),
        };
        return QueryHelpers.AddQueryString("/api/v1/logs/export", query.Where(p => !string.IsNullOrWhiteSpace(p.Value)));
    }

    private static string? Severity(LogFilter f) => f.MinSeverity?.ToString(CultureInfo.InvariantCulture);
}
