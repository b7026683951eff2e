using System.Globalization;
using Cocktail.Application.Logs;
using Microsoft.AspNetCore.WebUtilities;

namespace Cocktail.Web.Components.Pages.Logs;

/// <summary>
/// What the Logs page searches for, as it stands in the page's address: a link ("show logs" from a workload, a pod or an
/// alert) opens the search pre-filled, and the address of a search can be shared.
/// </summary>
public sealed class LogFilter
{
    public const string Custom = "custom";
    public const string DefaultRange = "1h";

    public static readonly (string Value, string Label)[] Ranges =
        [("15m", "Last 15 minutes"), ("1h", "Last hour"), ("6h", "Last 6 hours"), ("24h", "Last 24 hours"), ("7d", "Last 7 days"), (Custom, "From … to …")];

    /// <summary>OTLP severity numbers where each level starts (1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal).</summary>
    public static readonly (int Value, string Label)[] Severities =
        [(5, "Debug and above"), (9, "Info and above"), (13, "Warn and above"), (17, "Error and above"), (21, "Fatal")];

    public Guid? Cluster { get; set; }
    public Guid? Workspace { get; set; }
    public Guid? ServiceMap { get; set; }
    public string? Workload { get; set; }
    public string? Pod { get; set; }
    public string? Container { get; set; }
    public int? MinSeverity { get; set; }
    public string Range { get; set; } = DefaultRange;
    public DateTimeOffset? From { get; set; }
    public DateTimeOffset? To { get; set; }
    public string? Text { get; set; }

    public LogFilter Copy() => (LogFilter)MemberwiseClone();

    /// <summary>Label names that name a workload: Cocktail's own rules say <c>workload</c>; kube-state-metrics' alerts the kind.</summary>
    private static readonly string[] WorkloadLabels = ["workload", "deployment", "statefulset", "daemonset"];

    /// <summary>The workload an alert's labels are about, if they name one.</summary>
    public static string? WorkloadOf(IReadOnlyDictionary<string, string> labels) =>
        WorkloadLabels.Select(labels.GetValueOrDefault).FirstOrDefault(w => !string.IsNullOrWhiteSpace(w));

    public static bool TryParseRange(string? range, out TimeSpan span)
    {
        span = range switch
        {
            "15m" => TimeSpan.FromMinutes(15), "1h" => TimeSpan.FromHours(1), "6h" => TimeSpan.FromHours(6),
            "24h" => TimeSpan.FromHours(24), "7d" => TimeSpan.FromDays(7), _ => TimeSpan.Zero,
        };
        return span > TimeSpan.Zero;
    }

    /// <summary>The window this filter means now: a preset back from now, or the custom from/to (to: now when empty).</summary>
    public (DateTimeOffset From, DateTimeOffset To) Window(DateTimeOffset now)
    {
        if (Range == Custom && From is { } from) return (from, To ?? now);
        TryParseRange(Range, out var span);
        if (span == TimeSpan.Zero) span = TimeSpan.FromHours(1);
        return (now - span, now);
    }

    public LogSearch ToSearch(DateTimeOffset from, DateTimeOffset to) =>
        new(from, to, Blank(Text), Cluster is { } c ? [c] : null, Workspace, ServiceMap, Blank(Workload), Blank(Pod), Blank(Container), MinSeverity);

    /// <summary>The page's address for this filter; only what is set is written.</summary>
    public string Href()
    {
        var query = new List<KeyValuePair<string, string?>>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) query.Add(new(key, value.Trim()));
        }
        Add("cluster", Cluster?.ToString());
        Add("workspace", Workspace?.ToString());
        Add("serviceMap", ServiceMap?.ToString());
        Add("workload", Workload);
        Add("pod", Pod);
        Add("container", Container);
        Add("severity", MinSeverity?.ToString(CultureInfo.InvariantCulture));
        if (Range != DefaultRange) Add("range", Range);
        if (Range == Custom)
        {
            Add("from", From?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            Add("to", To?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        }
        Add("q", Text);
        return QueryHelpers.AddQueryString("/logs", query);
    }

    /// <summary>Reads a filter from the page's query string; what cannot be read is left out rather than refused.</summary>
    public static LogFilter FromQuery(string? queryString)
    {
        var q = QueryHelpers.ParseQuery(queryString);
        string? Get(string key) => q.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        Guid? Id(string key) => Guid.TryParse(Get(key), out var id) ? id : null;
        DateTimeOffset? Time(string key) =>
            DateTimeOffset.TryParse(Get(key), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUniversalTime() : null;

        var filter = new LogFilter
        {
            Cluster = Id("cluster"), Workspace = Id("workspace"), ServiceMap = Id("serviceMap"),
            Workload = Get("workload"), Pod = Get("pod"), Container = Get("container"), Text = Get("q"),
            MinSeverity = int.TryParse(Get("severity"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s is >= 1 and <= 24 ? s : null,
            From = Time("from"), To = Time("to"),
        };
        var range = Get("range");
        if (range == Custom && filter.From is not null) filter.Range = Custom;
        else if (range is not null && TryParseRange(range, out _)) filter.Range = range;
        else if (range is null && filter.From is not null) filter.Range = Custom;
        return filter;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
