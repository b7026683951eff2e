using System.Net;
using System.Security.Authentication;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// Every request a cached cluster client sends, except watches and followed logs: a turn among the cluster's
/// requests in flight, then one resilience pipeline (total timeout, retry with jittered back-off that waits out a
/// Retry-After, the cluster's circuit breaker, a timeout per attempt). The answer is read whole inside the attempt:
/// KubernetesClient would otherwise parse it synchronously from the network, holding a thread-pool thread until the
/// last byte arrives (with hundreds of clusters listing at once that starved the pool), and a slow body would escape
/// the timeout.
/// <para>
/// Watches and followed logs pass straight through: they are open for minutes by design, so a timeout would cut
/// them and a retry would replay them; the inventory's watch loop reconnects on its own.
/// </para>
/// </summary>
internal sealed class ResilientClusterCalls(ResiliencePipeline<HttpResponseMessage> pipeline, SemaphoreSlim inFlight) : DelegatingHandler
{
    private static readonly AsyncLocal<bool> Measuring = new();

    /// <summary>
    /// Requests sent in this scope skip the queue, the retries and the circuit: a health probe measures the cluster as
    /// it answers now, and must see it come back even while its circuit is open.
    /// </summary>
    public static IDisposable Measure()
    {
        var previous = Measuring.Value;
        Measuring.Value = true;
        return new Restore(previous);
    }

    /// <summary>
    /// Marks a request through the API server's proxy to a Service (a cluster's Prometheus): it waits its turn like
    /// any other, but is tried once and does not count towards the cluster's circuit, because a 503 there says the
    /// Service is down, not the API server; its answer is buffered up to <see cref="BufferLimit"/>.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> ServiceProxy = new("Cocktail.ServiceProxy");

    /// <summary>The largest answer buffered for this request; a longer one fails with <see cref="ResponseTooLargeException"/>.</summary>
    public static readonly HttpRequestOptionsKey<long> BufferLimit = new("Cocktail.BufferLimit");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (IsStream(request)) return await base.SendAsync(request, cancellationToken);
        if (request.Options.TryGetValue(ServiceProxy, out var proxied) && proxied)
        {
            await inFlight.WaitAsync(cancellationToken);
            try { return await SendOnceAsync(request, cancellationToken); }
            finally { inFlight.Release(); }
        }
        if (Measuring.Value) return await SendOnceAsync(request, cancellationToken);
        await inFlight.WaitAsync(cancellationToken);
        try
        {
            return await pipeline.ExecuteAsync(
                static (state, token) => new ValueTask<HttpResponseMessage>(state.Self.SendOnceAsync(state.Request, token)),
                (Self: this, Request: request), cancellationToken);
        }
        finally
        {
            inFlight.Release();
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        try
        {
            if (request.Options.TryGetValue(BufferLimit, out var limit))
            {
                if (response.Content.Headers.ContentLength > limit) throw new ResponseTooLargeException(limit);
                try { await response.Content.LoadIntoBufferAsync(limit, ct); }
                catch (HttpRequestException e) when (e.InnerException is null && !ct.IsCancellationRequested) { throw new ResponseTooLargeException(limit); }
            }
            else
            {
                await response.Content.LoadIntoBufferAsync(ct);
            }
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Watches and followed logs stream for minutes; KubernetesClient reads them line by line, asynchronously.</summary>
    internal static bool IsStream(HttpRequestMessage request) =>
        request.RequestUri?.Query is { Length: > 0 } query &&
        (query.Contains("watch=true", StringComparison.OrdinalIgnoreCase) || query.Contains("watch=1", StringComparison.Ordinal) ||
         query.Contains("follow=true", StringComparison.OrdinalIgnoreCase));

    /// <summary>The pipeline of one cluster: built once per cached client, so the circuit is the cluster's own.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Pipeline(ClusterCallOptions options) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, options.LongestRetryAfter)),
                MaxRetryAttempts = Math.Max(1, options.Retries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                // The server said when: not sooner, and with a little jitter so that a fleet does not come back at once.
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result) is { } wait
                    ? wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250))
                    : (TimeSpan?)null),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, TimeSpan.MaxValue)),
                FailureRatio = options.BreakFailureRatio,
                MinimumThroughput = Math.Max(2, options.BreakMinimumThroughput),
                SamplingDuration = options.BreakSampling,
                BreakDuration = options.BreakDuration,
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();

    /// <summary>
    /// Worth another try: the cluster was overloaded or broken (429, 5xx), or did not answer (timeout, connection
    /// failed). Not a refused address or a TLS mismatch: those fail the same way every time.
    /// </summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome, TimeSpan longestRetryAfter) => outcome switch
    {
        { Exception: { } e } => IsTransient(e),
        { Result: { } response } => ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                                    && !(RetryAfter(response) > longestRetryAfter),
        _ => false,
    };

    private static bool IsTransient(Exception e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is RefusedAddressException or AuthenticationException) return false;
        return e is TimeoutRejectedException or HttpRequestException or IOException;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response) => response?.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero,
        _ => null,
    };

    private sealed class Restore(bool previous) : IDisposable
    {
        public void Dispose() => Measuring.Value = previous;
    }
}

/// <summary>An answer longer than the request's <see cref="ResilientClusterCalls.BufferLimit"/>.</summary>
public sealed class ResponseTooLargeException(long limit) : IOException($"The answer is larger than {limit / 1024 / 1024.0:0.#} MiB.")
{
    public long Limit { get; } = limit;
}
