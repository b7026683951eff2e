using System.Net;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

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

    private readonly SemaphoreSlim _retryNow = new(0, 1);

    private readonly Lock _gate = new();

    public void Succeeded() { lock (_gate) { FailingSince = null; LastError = null; } }
    public void Listed() { Relists++; Synced = true; Succeeded(); }
    public void Failed(string error, DateTimeOffset now) { lock (_gate) { FailingSince ??= now; LastError = error; } }

    /// <summary>Waits out a back-off, or less when <see cref="RetryNow"/> says the cluster answers again.</summary>
    public async Task BackOffAsync(TimeSpan delay, CancellationToken ct) => await _retryNow.WaitAsync(delay, ct);

    /// <summary>The cluster answers again: a failing watch should not sleep out the rest of a back-off of up to 30 s.</summary>
    public void RetryNow()
    {
        if (FailingSince is not null && _retryNow.CurrentCount == 0)
        {
            try { _retryNow.Release(); }
            catch (SemaphoreFullException) { } // raced with another wake: one is enough
        }
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

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = new Backoff(options.BackoffMin, options.BackoffMax);
        string? resourceVersion = null;
        while (!ct.IsCancellationRequested)
        {
            var started = clock.GetUtcNow();
            try
            {
                resourceVersion ??= await ListAsync(ct);
                var (gone, lastVersion) = await WatchAsync(resourceVersion, ct);
                resourceVersion = gone ? null : lastVersion;
                if (gone) continue; // history too old: list again at once
                if (clock.GetUtcNow() - started < ShortestHealthyWatch) await backoff.DelayAsync(ct);
                else backoff.Reset();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Gone)
            {
                resourceVersion = null; // an expired continue token or version: start over
            }
            catch (Exception e)
            {
                state.Failed(Describe(e), clock.GetUtcNow());
                if (ClusterCalls.IsUnreachable(e)) onConnectionTrouble();
                logger.LogDebug(e, "Watching {Resource} failed", resource.Name);
                await state.BackOffAsync(backoff.Next(), ct);
            }
        }
    }

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
