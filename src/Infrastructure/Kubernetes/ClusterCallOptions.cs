namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// How Cocktail calls a cluster's API server (Cocktail:Clusters:Calls): how many requests one cluster has in flight
/// from this replica, how long one may take, how often and how soon a failed one is tried again, and when a cluster
/// that keeps failing is left alone for a moment.
/// </summary>
public sealed class ClusterCallOptions
{
    public const string Section = "Cocktail:Clusters:Calls";

    /// <summary>
    /// Requests to one cluster in flight at once from this replica, whoever sends them (service maps, workloads,
    /// access grants, inventory lists); the others wait their turn in memory. Watches and followed logs are not
    /// counted: they stay open for minutes.
    /// </summary>
    public int RequestsInFlightPerCluster { get; set; } = 16;

    /// <summary>One attempt, until its whole answer has arrived.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Every attempt of one request together, with the waits between them.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Tries after the first, for a 429, a 5xx, a timeout or a connection that failed.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>The median wait before the first retry; each later one waits about twice as long, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A Retry-After up to this long is waited out and the request tried again; a longer one is not waited for here:
    /// the request fails as the cluster answered, and the caller comes back later (a reconciler reschedules).
    /// </summary>
    public TimeSpan LongestRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The share of failed attempts, over <see cref="BreakSampling"/>, that opens a cluster's circuit.</summary>
    public double BreakFailureRatio { get; set; } = 0.5;

    /// <summary>Attempts within <see cref="BreakSampling"/> before the ratio counts at all.</summary>
    public int BreakMinimumThroughput { get; set; } = 8;

    public TimeSpan BreakSampling { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an open circuit answers at once, without calling the cluster, before one trial call.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}
