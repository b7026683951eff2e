using System.Net;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>How one kind is listed and watched with KubernetesClient's typed API.</summary>
internal sealed record WatchedResource<T, TList>(
    string Name,
    Func<IKubernetes, string?, int, CancellationToken, Task<TList>> List,
    Func<IKubernetes, string, int, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> Watch)
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>;

/// <summary>Whether a watch is currently working, for the cluster's health.</summary>
internal sealed class WatchState
{
    public string Resource { get; init; } = "";
    public DateTimeOffset? FailingSince { get; private set; }
    public string? LastError { get; private set; }
    public long Relists { get; private set; }
    public bool Synced { get; private set; }

    private readonly Lock _gate = new();
    private CancellationTokenSource? _wake;

    public void Succeeded() { lock (_gate) { FailingSince = null; LastError = null; } }
    public void Listed() { Relists++; Synced = true; Succeeded(); }
    public void Failed(string error, DateTimeOffset now) { lock (_gate) { FailingSince ??= now; LastError = error; } }

    /// <summary>A token for one run of back-offs: <see cref="RetryNow"/> cancels it to cut the current back-off short.</summary>
    public CancellationTokenSource BackOffToken(CancellationToken ct)
    {
        var wake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        lock (_gate) _wake = wake;
        return wake;
    }

    /// <summary>The cluster answers again: a failing watch should not sleep out the rest of a back-off of up to 30 s.</summary>
    public void RetryNow()
    {
        CancellationTokenSource? wake;
        lock (_gate) wake = FailingSince is not null ? _wake : null;
        try { wake?.Cancel(); }
        catch (ObjectDisposedException) { } // that run has just ended: the next one starts at once anyway
    }
}

/// <summary>
/// Keeps one kind of one cluster in step: list (paged), then watch from the list's resourceVersion with bookmarks;
/// resume from the last resourceVersion after a dropped connection, re-list on 410 Gone, back off with jitter on
/// errors, and never loop hot when watches end at once.
/// </summary>
internal sealed class ResourceWatch<T, TList>(
    WatchedResource<T, TList> resource,
    IKubernetes client,
    Action<IReadOnlyList<T>> listed,
    Action<WatchEventType, T> changed,
    WatchState state,
    InventoryOptions options,
    TimeProvider clock,
    Action onConnectionTrouble,
    SemaphoreSlim listSlots,
    ILogger logger)
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IKubernetesObject<V1ListMeta>, IItems<T>
{
    private static readonly TimeSpan ShortestHealthyWatch = TimeSpan.FromSeconds(1);

    private string? _resourceVersion;

    /// <summary>
    /// Each run lists if needed and watches until the stream ends. A run that ends well (a healthy watch closed by the
    /// server, or 410 Gone: list again at once) starts the next one afresh; a failed one (or a watch that ended at
    /// once) is tried again by Polly with jittered exponential back-off, which <see cref="WatchState.RetryNow"/> cuts
    /// short once the cluster answers again.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var reconnect = Reconnecting(ct);
        while (!ct.IsCancellationRequested)
        {
            using var backOff = state.BackOffToken(ct);
            try
            {
                // The run itself listens to ct only: waking from a back-off must not cut a list or a watch in progress.
                await reconnect.ExecuteAsync(_ => RunOnceAsync(ct), backOff.Token);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                // Woken from a back-off (the cluster answers again; Polly ends the run with the cancellation or with the
                // failure it was backing off from): try at once.
            }
        }
    }

    private ResiliencePipeline Reconnecting(CancellationToken ct) => RetryForever.Build(options.BackoffMin, options.BackoffMax,
        e => !(e is OperationCanceledException && ct.IsCancellationRequested),
        e =>
        {
            if (e is WatchEndedAtOnce) return;
            state.Failed(Describe(e), clock.GetUtcNow());
            if (ClusterCalls.IsUnreachable(e)) onConnectionTrouble();
            logger.LogDebug(e, "Watching {Resource} failed", resource.Name);
        });

    private async ValueTask RunOnceAsync(CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        try
        {
            _resourceVersion ??= await ListAsync(ct);
            var (gone, lastVersion) = await WatchAsync(_resourceVersion, ct);
            _resourceVersion = gone ? null : lastVersion;
            if (gone) return; // history too old: list again at once
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
        {
            _resourceVersion = null; // an expired continue token or version: start over
            return;
        }
        // Watches that end as soon as they open (a proxy closing them, a server shedding load) must not loop hot.
        if (clock.GetUtcNow() - started < ShortestHealthyWatch) throw new WatchEndedAtOnce();
    }

    /// <summary>Not a failure of the cluster: only a reason to back off before watching again.</summary>
    private sealed class WatchEndedAtOnce : Exception;

    private async Task<string> ListAsync(CancellationToken ct)
    {
        var items = new List<T>();
        string? next = null;
        string resourceVersion;
        await listSlots.WaitAsync(ct);
        try
        {
            do
            {
                var page = await resource.List(client, next, options.ListPageSize, ct);
                items.AddRange(page.Items);
                next = page.Metadata?.ContinueProperty;
                resourceVersion = page.Metadata?.ResourceVersion ?? "0";
            } while (!string.IsNullOrEmpty(next));
        }
        finally
        {
            listSlots.Release();
        }
        listed(items);
        state.Listed();
        return resourceVersion;
    }

    private async Task<(bool Gone, string ResourceVersion)> WatchAsync(string resourceVersion, CancellationToken ct)
    {
        var gone = false;
        Exception? error = null;
        var timeout = (int)(options.WatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble() / 2));
        var events = resource.Watch(client, resourceVersion, timeout, e =>
        {
            if (e is KubernetesException { Status.Code: 410 }) gone = true;
            else error ??= e;
        }, ct);
        // A quiet cluster sends nothing on a resumed watch until its next bookmark (about a minute on a real API server):
        // a watch still open after a moment is a working watch, so the cluster is not left Degraded after an outage.
        using var open = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _ = MarkHealthyIfStillOpenAsync(open.Token);
        try
        {
            await foreach (var (type, item) in events)
            {
                state.Succeeded();
                if (item?.Metadata?.ResourceVersion is { Length: > 0 } version) resourceVersion = version;
                if (type != WatchEventType.Bookmark && item is not null) changed(type, item);
            }
        }
        finally
        {
            await open.CancelAsync();
        }
        if (error is not null && !gone) throw error;
        return (gone, resourceVersion);
    }

    private async Task MarkHealthyIfStillOpenAsync(CancellationToken stillOpen)
    {
        try
        {
            await Task.Delay(ShortestHealthyWatch, stillOpen); // transport time, not the (possibly simulated) clock
            state.Succeeded();
        }
        catch (OperationCanceledException)
        {
            // The watch ended (or failed) first.
        }
    }

    private static string Describe(Exception e) => e switch
    {
        HttpOperationException http => $"{(int)http.Response.StatusCode} {http.Response.ReasonPhrase}",
        KubernetesException k => k.Status?.Message ?? k.Message,
        _ => e.GetBaseException().Message,
    };
}
