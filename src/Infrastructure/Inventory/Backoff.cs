namespace Cocktail.Infrastructure.Inventory;

/// <summary>Exponential back-off with full jitter, so a fleet of failing watches never retries in lock step or in a hot loop.</summary>
internal sealed class Backoff(TimeSpan min, TimeSpan max)
{
    private int _attempt;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt++, 20)));
        return TimeSpan.FromMilliseconds(min.TotalMilliseconds / 2 + Random.Shared.NextDouble() * (ceiling - min.TotalMilliseconds / 2));
    }

    public void Reset() => _attempt = 0;

    public Task DelayAsync(CancellationToken ct) => Task.Delay(Next(), ct);
}
