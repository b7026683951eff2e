using Cocktail.Application.Common;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.Searching;

/// <summary>The lines the same pod's container wrote around one line, oldest first, the line itself included.</summary>
public sealed record GetLogContext(string LineId, int Before = 20, int After = 20) : IRequest<IReadOnlyList<LogLine>>;

public sealed class GetLogContextValidator : AbstractValidator<GetLogContext>
{
    public GetLogContextValidator()
    {
        RuleFor(x => x.LineId).Must(id => LogLineId.TryParse(id, out _)).WithMessage("This is not a log line's id.");
        RuleFor(x => x.Before).InclusiveBetween(0, 500).WithMessage("'before' is 0 to 500 lines.");
        RuleFor(x => x.After).InclusiveBetween(0, 500).WithMessage("'after' is 0 to 500 lines.");
    }
}

public static class GetLogContextHandler
{
    public const string NoSuchLine = "No such log line.";

    public static async Task<Result<IReadOnlyList<LogLine>>> Handle(GetLogContext query, Actor actor, IQuerySession session, ILogStore store,
        IOptions<LogsOptions> options, CancellationToken ct)
    {
        var visibility = await LogAccess.VisibilityAsync(actor, session, ct);
        try
        {
            var lines = await store.ContextAsync(query.LineId, query.Before, query.After, visibility, ct);
            // A line the caller may not read answers as one that is not there.
            return lines.Count == 0 ? Failure.NotFound(NoSuchLine) : Result<IReadOnlyList<LogLine>>.Ok(lines);
        }
        catch (LogQueryTimeoutException)
        {
            return LogAccess.TookTooLong(options.Value.StatementTimeout);
        }
    }
}
