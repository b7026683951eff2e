using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Logs;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Logs.Searching;

/// <summary>The filters that a search, a histogram, a tail and an export share.</summary>
public interface ILogFilterQuery
{
    DateTimeOffset? From { get; }
    DateTimeOffset? To { get; }
    /// <summary>A preset back from now (<see cref="LogWindows.Presets"/>) when From is not given.</summary>
    string? Window { get; }
    /// <summary>The text query: words, "phrases", -exclusions (<see cref="LogQuery"/>).</summary>
    string? Q { get; }
    Guid? ClusterId { get; }
    Guid? WorkspaceId { get; }
    Guid? ServiceMapId { get; }
    string? Workload { get; }
    string? Pod { get; }
    string? Container { get; }
    /// <summary>trace, debug, info, warn, error, fatal, or an OTLP severity number (0-24).</summary>
    string? MinSeverity { get; }
}

public static class LogWindows
{
    public static readonly string[] Presets = ["5m", "15m", "1h", "6h", "24h", "7d"];

    public static bool TryParse(string window, out TimeSpan span)
    {
        span = window switch
        {
            "5m" => TimeSpan.FromMinutes(5), "15m" => TimeSpan.FromMinutes(15), "1h" => TimeSpan.FromHours(1),
            "6h" => TimeSpan.FromHours(6), "24h" => TimeSpan.FromHours(24), "7d" => TimeSpan.FromDays(7), _ => TimeSpan.Zero,
        };
        return span > TimeSpan.Zero;
    }

    /// <summary>Longest range one query covers: the longest retention (older lines are gone anyway).</summary>
    public static TimeSpan MaxRange => TimeSpan.FromDays(LogRetention.MaxDays);

    public static (DateTimeOffset From, DateTimeOffset To) Resolve(DateTimeOffset? from, DateTimeOffset? to, string? window, DateTimeOffset now)
    {
        var end = to ?? now;
        if (from is { } start) return (start, end);
        return (end - (window is not null && TryParse(window, out var span) ? span : TimeSpan.FromHours(1)), end);
    }
}

public static class LogSeverities
{
    public static bool TryParse(string? text, out int? number)
    {
        number = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        number = text.Trim().ToLowerInvariant() switch
        {
            "trace" => 1, "debug" => 5, "info" => 9, "warn" or "warning" => 13, "error" => 17, "fatal" => 21,
            var n when int.TryParse(n, out var i) && i is >= 0 and <= 24 => i,
            _ => -1,
        };
        return number >= 0;
    }
}

/// <summary>The rules of the filters, the same for every log query.</summary>
public abstract class LogFilterValidator<T> : AbstractValidator<T> where T : ILogFilterQuery
{
    protected LogFilterValidator(TimeProvider clock)
    {
        RuleFor(x => x.Window).Must(w => w is null || LogWindows.TryParse(w, out _))
            .WithMessage($"Windows are {string.Join(", ", LogWindows.Presets)}.");
        RuleFor(x => x.To).GreaterThan(x => x.From).When(x => x.From is not null && x.To is not null).WithMessage("'to' must come after 'from'.");
        RuleFor(x => x.From)
            .Must((x, _) => Range(x, clock) <= LogWindows.MaxRange)
            .WithMessage($"A search covers at most {LogRetention.MaxDays} days (the longest retention); narrow 'from' and 'to'.");
        RuleFor(x => x.Q).Custom((q, context) =>
        {
            if (!LogQuery.TryParse(q, out _, out var error)) context.AddFailure(LogQuery.Field, error!.Message);
        });
        RuleFor(x => x.Workload).MaximumLength(253);
        RuleFor(x => x.Pod).MaximumLength(253);
        RuleFor(x => x.Container).MaximumLength(253);
        RuleFor(x => x.MinSeverity).Must(s => LogSeverities.TryParse(s, out _))
            .WithMessage("Severities are trace, debug, info, warn, error, fatal or a number from 0 to 24.");
    }

    private static TimeSpan Range(T x, TimeProvider clock)
    {
        var (from, to) = LogWindows.Resolve(x.From, x.To, x.Window, clock.GetUtcNow());
        return to - from;
    }
}

/// <summary>What the caller may read, and the store's search for a query.</summary>
public static class LogAccess
{
    public static async Task<LogVisibility> VisibilityAsync(Actor actor, IQuerySession session, CancellationToken ct)
    {
        if (actor.CanReadEverything) return LogVisibility.Everything;
        var workspaces = (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct)).Select(w => w.Id).ToArray();
        if (workspaces.Length == 0) return new LogVisibility(false, []);
        var maps = await session.Query<ServiceMapView>().Where(m => workspaces.Contains(m.WorkspaceId)).Select(m => m.Id).ToListAsync(ct);
        return new LogVisibility(false, maps);
    }

    /// <summary>The range as asked, never older than the longest retention (nothing older is kept).</summary>
    public static LogSearch ToSearch(ILogFilterQuery q, DateTimeOffset now)
    {
        var (from, to) = LogWindows.Resolve(q.From, q.To, q.Window, now);
        var oldest = now - LogWindows.MaxRange - TimeSpan.FromDays(1);
        if (from < oldest) from = oldest;
        if (to < from) to = from;
        LogSeverities.TryParse(q.MinSeverity, out var severity);
        return new LogSearch(from, to, Blank(q.Q), q.ClusterId is { } c ? [c] : null, q.WorkspaceId, q.ServiceMapId, Blank(q.Workload), Blank(q.Pod),
            Blank(q.Container), severity is > 0 ? severity : null);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static Failure TookTooLong(TimeSpan timeout) =>
        Failure.Invalid($"The search took longer than {timeout.TotalSeconds:0} s and was stopped; narrow it: a shorter time range, a workload or pod, or more words.",
            LogQuery.Field);
}

/// <summary>The store stopped a query at its statement timeout.</summary>
public sealed class LogQueryTimeoutException(Exception inner) : Exception("The log query reached its statement timeout.", inner);
