using Cocktail.Domain.Logs;

namespace Cocktail.Application.Logs;

public sealed class LogsOptions
{
    public const string Section = "Cocktail:Logs";

    /// <summary>Days kept of lines that no service map owns (system namespaces, unknown ones): one of the retention classes.</summary>
    public int PlatformRetentionDays { get; set; } = LogRetention.DefaultDays;

    /// <summary>Most lines one search page returns.</summary>
    public int MaxPageSize { get; set; } = 1000;

    /// <summary>Most lines one export holds.</summary>
    public int MaxExportRows { get; set; } = 100_000;

    /// <summary>A search, a histogram or a context read that takes longer is cancelled by PostgreSQL, so no query scans everything.</summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An export's statement timeout (it streams many rows).</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>A body longer than this (in characters) is cut and marked truncated, whatever the receiver let through.</summary>
    public int MaxBodyLength { get; set; } = 32 * 1024;

    /// <summary>How often partitions are created ahead and expired ones dropped.</summary>
    public TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long after an hour ends its partition gets its deferred indexes (full text, service map, pod): lines shipped late mostly arrive by then.</summary>
    public TimeSpan SealGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>maintenance_work_mem of the session building those indexes (a GIN build is several times faster with room to sort).</summary>
    public int IndexBuildMemoryMb { get; set; } = 256;
}
