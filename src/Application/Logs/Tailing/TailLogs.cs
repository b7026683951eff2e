using Cocktail.Application.Common;
using Cocktail.Application.Logs.Searching;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.Tailing;

/// <summary>
/// Live tail: the lines that arrived after <see cref="After"/> (a cursor from a previous answer), oldest first. Without
/// a cursor, the newest lines of the last minutes, as `tail` starts. To wait for new lines, wait on
/// <see cref="LogArrivals"/> and ask again with the answer's cursor.
/// </summary>
public sealed record TailLogs(
    string? Q = null, Guid? ClusterId = null, Guid? WorkspaceId = null, Guid? ServiceMapId = null, string? Workload = null, string? Pod = null,
    string? Container = null, string? MinSeverity = null, string? After = null, int Limit = 200) : IRequest<LogTail>, ILogFilterQuery
{
    DateTimeOffset? ILogFilterQuery.From => null;
    DateTimeOffset? ILogFilterQuery.To => null;
    string? ILogFilterQuery.Window => "15m";
}

/// <summary>The new lines, oldest first, and the cursor to ask with next time (the last line's id, or the one given).</summary>
public sealed record LogTail(IReadOnlyList<LogLine> Items, string? Cursor);

public sealed class TailLogsValidator : LogFilterValidator<TailLogs>
{
    public TailLogsValidator(TimeProvider clock, IOptions<LogsOptions> options) : base(clock)
    {
        RuleFor(x => x.Limit).InclusiveBetween(1, options.Value.MaxPageSize).WithMessage($"A tail answers 1 to {options.Value.MaxPageSize} lines.");
        RuleFor(x => x.After).Must(a => a is null || LogLineId.TryParse(a, out _)).WithMessage("'after' is the cursor of a previous answer.");
    }
}

public static class TailLogsHandler
{
    public static async Task<Result<LogTail>> Handle(TailLogs query, Actor actor, IQuerySession session, ILogStore store, TimeProvider clock,
        IOptions<LogsOptions> options, CancellationToken ct)
    {
        var visibility = await LogAccess.VisibilityAsync(actor, session, ct);
        try
        {
            var lines = await store.TailAsync(LogAccess.ToSearch(query, clock.GetUtcNow()), visibility, query.After, query.Limit, ct);
            return new LogTail(lines, lines.Count > 0 ? lines[^1].Id : query.After);
        }
        catch (LogQueryTimeoutException)
        {
            return LogAccess.TookTooLong(options.Value.StatementTimeout);
        }
    }
}

/// <summary>
/// Told by the store after each stored batch, so a waiting tail asks again at once instead of polling. In-process
/// only: a tail on another replica notices at its next poll (callers wait at most a second or so between asks).
/// </summary>
public sealed class LogArrivals
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes when a batch is stored or the timeout passes, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { await Volatile.Read(ref _next).Task.WaitAsync(timeout, ct); }
        catch (TimeoutException) { }
    }
}
