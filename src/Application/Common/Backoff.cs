namespace Cocktail.Application.Common;

/// <summary>When to try a cluster again that did not answer: soon at first, then less and less often (5 s up to 5 min).</summary>
public static class Backoff
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(5);

    public static TimeSpan After(int attempt) =>
        TimeSpan.FromTicks(Math.Min(Longest.Ticks, First.Ticks * (1L << Math.Clamp(attempt, 0, 16))));
}
