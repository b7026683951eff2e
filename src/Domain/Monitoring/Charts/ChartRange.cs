using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring.Charts;

/// <summary>
/// The time a chart covers and the step between its points: a named range ending now (1h, 6h, 24h, 7d) or a custom
/// start and end. The step keeps a chart at <see cref="MaxPoints"/> points or fewer, so 7 days cost what 1 hour does.
/// </summary>
public sealed record ChartRange(DateTimeOffset Start, DateTimeOffset End, TimeSpan Step)
{
    public const int MaxPoints = 300;
    public const string DefaultName = "1h";
    public static readonly TimeSpan MinStep = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(31);

    public static readonly IReadOnlyDictionary<string, TimeSpan> Named = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        ["1h"] = TimeSpan.FromHours(1), ["6h"] = TimeSpan.FromHours(6), ["24h"] = TimeSpan.FromHours(24), ["7d"] = TimeSpan.FromDays(7),
    };

    /// <summary>
    /// The window rates are taken over: at least one step (so no sample falls between points) and at least a minute
    /// (so a rate always sees two scrapes at the usual intervals).
    /// </summary>
    public TimeSpan RateWindow => Step > TimeSpan.FromMinutes(1) ? Step : TimeSpan.FromMinutes(1);

    public int Points => (int)((End - Start).Ticks / Step.Ticks) + 1;

    /// <summary>Either a named range, or start and end together (end at most now plus a minute of clock skew).</summary>
    public static (ChartRange? Range, DomainError? Error) Resolve(string? range, DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now)
    {
        if (start is null && end is null)
        {
            var name = string.IsNullOrWhiteSpace(range) ? DefaultName : range.Trim();
            if (!Named.TryGetValue(name, out var span))
                return (null, DomainError.Invalid($"The ranges are {string.Join(", ", Named.Keys)}, or a custom start and end.", "range"));
            return (Of(now - span, now), null);
        }
        if (!string.IsNullOrWhiteSpace(range))
            return (null, DomainError.Invalid("Give a named range or a start and end, not both.", "range"));
        if (start is null) return (null, DomainError.Invalid("A custom range needs a start as well as an end.", "start"));
        if (end is null) return (null, DomainError.Invalid("A custom range needs an end as well as a start.", "end"));
        if (end <= start) return (null, DomainError.Invalid("The end must come after the start.", "end"));
        if (end - start > MaxSpan) return (null, DomainError.Invalid($"A chart covers at most {MaxSpan.TotalDays:0} days.", "start"));
        if (end > now + TimeSpan.FromMinutes(1)) return (null, DomainError.Invalid("The end cannot be in the future.", "end"));
        return (Of(start.Value, end.Value), null);
    }

    /// <summary>The step is whole seconds, at least <see cref="MinStep"/>, and leaves at most <see cref="MaxPoints"/> points.</summary>
    public static ChartRange Of(DateTimeOffset start, DateTimeOffset end)
    {
        var seconds = (long)Math.Ceiling((end - start).TotalSeconds / (MaxPoints - 1));
        var step = TimeSpan.FromSeconds(Math.Max(seconds, (long)MinStep.TotalSeconds));
        return new ChartRange(start, end, step);
    }
}
