using Cocktail.Application.Clusters.ObservingInventory;

namespace Cocktail.Web.Components.Pages.Clusters;

/// <summary>
/// Follows inventory and health notifications for a page: runs its refresh at most once per interval however many
/// changes arrive, and once more after the last one, so a page shows the latest state without re-querying per change.
/// Notifications arrive on a background thread; <paramref name="refresh"/> must marshal to the renderer itself
/// (ComponentBase.InvokeAsync).
/// </summary>
public sealed class LiveRefresh : IDisposable
{
    private readonly Func<Guid, bool> _relevant;
    private readonly Func<Task> _refresh;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private readonly CancellationTokenSource _disposed = new();
    private long _lastRunTicks = Environment.TickCount64 - 60_000;
    private int _scheduled;

    public LiveRefresh(IInventoryNotifications notifications, Func<Guid, bool> relevant, Func<Task> refresh, ILogger logger,
        TimeSpan? interval = null)
    {
        _relevant = relevant;
        _refresh = refresh;
        _logger = logger;
        _interval = interval ?? TimeSpan.FromSeconds(1);
        _subscription = notifications.Subscribe(Changed);
    }

    private void Changed(Guid clusterId)
    {
        if (_disposed.IsCancellationRequested || !_relevant(clusterId)) return;
        if (Interlocked.Exchange(ref _scheduled, 1) == 1) return; // a refresh is coming and will see this change
        _ = RunAsync(_disposed.Token);
    }

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            var wait = _interval.TotalMilliseconds - (Environment.TickCount64 - Interlocked.Read(ref _lastRunTicks));
            if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
            // Changes from here on schedule the next run; this one reads everything committed before it.
            Volatile.Write(ref _scheduled, 0);
            Interlocked.Exchange(ref _lastRunTicks, Environment.TickCount64);
            await _refresh();
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && ct.IsCancellationRequested)
        {
            // The page went away.
        }
        catch (Exception e)
        {
            Volatile.Write(ref _scheduled, 0);
            _logger.LogWarning(e, "Refreshing a live page failed; the next change tries again");
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        // Not disposed: a notification racing with this must still be able to read it.
        _disposed.Cancel();
    }
}
