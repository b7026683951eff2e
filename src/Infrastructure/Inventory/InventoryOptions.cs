namespace Cocktail.Infrastructure.Inventory;

public sealed class InventoryOptions
{
    public const string Section = "Cocktail:Inventory";

    /// <summary>Whether this replica takes part in watching clusters (one replica at a time watches, by a database lock).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each cluster's API server is asked for its version to judge its health.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Failed probes in a row before a cluster is Unreachable (interval × this + timeout stays under 30 s).</summary>
    public int UnreachableAfter { get; set; } = 2;

    /// <summary>A cluster that answers slower than this, <see cref="DegradedAfter"/> probes in a row, is Degraded.</summary>
    public TimeSpan DegradedLatency { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Slow answers in a row before a cluster is Degraded. One slow answer is not a degraded cluster, and when this
    /// replica itself is busy (hundreds of clusters listed at a restart) every answer looks slow for a moment.
    /// </summary>
    public int DegradedAfter { get; set; } = 3;

    /// <summary>A watch that has been failing for longer than this makes the cluster Degraded.</summary>
    public TimeSpan WatchFailureGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Server-side watch timeout; each watch picks a random value between this and 1.5 times it.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan BackoffMin { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long changes are gathered before they are written in one transaction.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan SummaryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the watching replica re-reads the cluster list (also on every registration change).</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a standby replica tries to take over the watching, and how often the watching replica checks that
    /// its database session (and with it the lock) is still alive. A stopped or killed watcher is replaced within
    /// about this long; a watcher cut off from the database stops within about this long.
    /// </summary>
    public TimeSpan LeadershipInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Kubernetes events kept in Cocktail after the cluster last reported them.</summary>
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(7);

    public int ListPageSize { get; set; } = 500;

    /// <summary>
    /// Lists in flight at once across every cluster; the others wait their turn. Without a limit a restart with
    /// hundreds of clusters starts thousands of lists together and saturates this replica (and its database) for
    /// longer than the same work done in order.
    /// </summary>
    public int MaxConcurrentLists { get; set; } = 16;
}
