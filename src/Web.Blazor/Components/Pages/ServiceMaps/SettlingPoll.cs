namespace Cocktail.Web.Components.Pages.ServiceMaps;

/// <summary>
/// Re-reads a page every interval while something on it is still settling (a service map Pending or Deleting): the
/// verdict is recorded by the reconciler in the background, and nothing else tells the page. Idle otherwise.
/// <paramref name="refresh"/> must marshal to the renderer itself (ComponentBase.InvokeAsync).
/// </summary>
public sealed class SettlingPoll : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public SettlingPoll(Func<bool> settling, Func<Task> refresh, ILogger logger, TimeSpan? interval = null) =>
        _ = RunAsync(settling, refresh, logger, interval ?? TimeSpan.FromSeconds(2), _stop.Token);

    private static async Task RunAsync(Func<bool> settling, Func<Task> refresh, ILogger logger, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (!settling()) continue;
                try
                {
                    await refresh();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Refreshing a settling page failed; the next tick tries again");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away.
        }
    }

    public void Dispose() => _stop.Cancel();
}
