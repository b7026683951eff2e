using Cocktail.Application.Common;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.Searching;

/// <summary>How many lines match, in equal time buckets over the range, oldest first.</summary>
public sealed record GetLogHistogram(
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Window = null, string? Q = null, Guid? ClusterId = null, Guid? WorkspaceId = null,
    Guid? ServiceMapId = null, string? Workload = null, string? Pod = null, string? Container = null, string? MinSeverity = null,
    int Buckets = 60) : IRequest<IReadOnlyList<LogHistogramBucket>>, ILogFilterQuery;

public sealed class GetLogHistogramValidator : LogFilterValidator<GetLogHistogram>
{
    public GetLogHistogramValidator(TimeProvider clock) : base(clock) =>
        RuleFor(x => x.Buckets).InclusiveBetween(1, 500).WithMessage("A histogram has 1 to 500 buckets.");
}

public static class GetLogHistogramHandler
{
    public static async Task<Result<IReadOnlyList<LogHistogramBucket>>> Handle(GetLogHistogram query, Actor actor, IQuerySession session, ILogStore store,
        TimeProvider clock, IOptions<LogsOptions> options, CancellationToken ct)
    {
        var visibility = await LogAccess.VisibilityAsync(actor, session, ct);
        try
        {
            return Result<IReadOnlyList<LogHistogramBucket>>.Ok(
                await store.HistogramAsync(LogAccess.ToSearch(query, clock.GetUtcNow()), visibility, query.Buckets, ct));
        }
        catch (LogQueryTimeoutException)
        {
            return LogAccess.TookTooLong(options.Value.StatementTimeout);
        }
    }
}
