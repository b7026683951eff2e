namespace Cocktail.KubeSim.Otlp;

/// <summary>
/// Where and how a simulated cluster ships its containers' log lines, as the OpenTelemetry Collector DaemonSet of
/// Cocktail's set-up does (filelog + k8sattributes + batch + otlphttp): one resource per pod and container with the
/// k8sattributes names, batches by size or time, protobuf with the bearer token, gzip, retries on 429/502/503/504
/// honouring Retry-After (exponential backoff otherwise), never on other answers.
/// </summary>
public sealed record LogShippingOptions
{
    /// <summary>The full URL, e.g. http://127.0.0.1:5080/v1/logs.</summary>
    public required Uri Endpoint { get; init; }

    /// <summary>Sent as Authorization: Bearer.</summary>
    public string? Token { get; init; }

    /// <summary>batch processor's send_batch_size: a batch goes once it holds this many lines...</summary>
    public int BatchMaxLines { get; init; } = 1000;

    /// <summary>...or once its first line has waited this long (batch processor's timeout).</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>otlphttp's compression: gzip (the collector's default) or none.</summary>
    public bool Gzip { get; init; } = true;

    /// <summary>How often the files are read for new lines (the filelog receiver's poll_interval).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>start_at: beginning (true) or end (false) for containers already running when shipping starts.</summary>
    public bool FromStart { get; init; } = true;

    /// <summary>Most lines read back from before shipping started, per container.</summary>
    public int MaxBacklogPerContainer { get; init; } = 1000;

    /// <summary>retry_on_failure: first wait when no Retry-After came, doubled up to <see cref="MaxBackoff"/>, given up after <see cref="MaxElapsed"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxElapsed { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>sending_queue's num_consumers: batches sent at the same time (10 in the collector).</summary>
    public int Consumers { get; init; } = 4;

    /// <summary>sending_queue: lines waiting to be sent; beyond it new lines are dropped and counted, as the collector does.</summary>
    public int QueueCapacityLines { get; init; } = 100_000;
}
