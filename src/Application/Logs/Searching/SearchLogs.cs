using Cocktail.Application.Common;
using Cocktail.Domain.Logs;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.Searching;

/// <summary>Log lines the caller may read, newest first, a page at a time (<see cref="Before"/> is a page's NextBefore).</summary>
public sealed record SearchLogs(
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Window = null, string? Q = null, Guid? ClusterId = null, Guid? WorkspaceId = null,
    Guid? ServiceMapId = null, string? Workload = null, string? Pod = null, string? Container = null, string? MinSeverity = null,
    int Limit = 100, string? Before = null) : IRequest<LogPage>, ILogFilterQuery;

public sealed class SearchLogsValidator : LogFilterValidator<SearchLogs>
{
    public SearchLogsValidator(TimeProvider clock, IOptions<LogsOptions> options) : base(clock)
    {
        RuleFor(x => x.Limit).InclusiveBetween(1, options.Value.MaxPageSize).WithMessage($"A page has 1 to {options.Value.MaxPageSize} lines.");
        RuleFor(x => x.Before).Must(b => b is null || LogLineId.TryParse(b, out _)).WithMessage("'before' is the nextBefore of a previous page.");
    }
}

public static class SearchLogsHandler
{
    public static async Task<Result<LogPage>> Handle(SearchLogs query, Actor actor, IQuerySession session, ILogStore store, TimeProvider clock,
        IOptions<LogsOptions> options, CancellationToken ct)
    {
        var visibility = await LogAccess.VisibilityAsync(actor, session, ct);
        try
        {
            return await store.SearchAsync(LogAccess.ToSearch(query, clock.GetUtcNow()), visibility, query.Limit, query.Before, ct);
        }
        catch (LogQueryTimeoutException)
        {
            return LogAccess.TookTooLong(options.Value.StatementTimeout);
        }
    }
}

/// <summary>A line's id: where it sits in time (microseconds since 1970, UTC) and its number, so a line is found in its day's partition.</summary>
public readonly record struct LogLineId(long Micros, long Number)
{
    public DateTimeOffset Time => DateTimeOffset.UnixEpoch.AddTicks(Micros * 10);

    public override string ToString() => $"{Micros}_{Number}";

    public static LogLineId Of(DateTimeOffset time, long number) => new((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10, number);

    public static bool TryParse(string? text, out LogLineId id)
    {
        id = default;
        if (text is null || text.Length > 48) return false;
        var parts = text.Split('_');
        if (parts.Length != 2 || !long.TryParse(parts[0], out var micros) || !long.TryParse(parts[1], out var number) || number < 0) return false;
        // Years 1970 to 9999, so the time converts.
        if (micros < 0 || micros > 253_402_300_799_000_000) return false;
        id = new LogLineId(micros, number);
        return true;
    }
}
