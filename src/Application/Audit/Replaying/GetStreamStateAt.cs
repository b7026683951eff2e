using Cocktail.Application.Audit.Describing;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Audit.Replaying;

/// <summary>
/// An entity as it was at a moment (or right after one of its versions), rebuilt from its events up to then, with
/// those events. Version wins over At when both are given.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetStreamStateAt(Guid StreamId, DateTimeOffset? At = null, long? Version = null) : IRequest<StreamState>;

/// <summary>The state as its record (State) and as named fields with enums by name (Fields).</summary>
public sealed record StreamState(Guid StreamId, string? AggregateType, DateTimeOffset At, long Version, object? State,
    IReadOnlyList<AuditEntry> Events, IReadOnlyList<StateField>? Fields = null, long LatestVersion = 0);

public sealed class GetStreamStateAtValidator : AbstractValidator<GetStreamStateAt>
{
    public GetStreamStateAtValidator() => RuleFor(x => x.Version).GreaterThanOrEqualTo(1).When(x => x.Version is not null)
        .WithMessage("Versions start at 1.");
}

public static class GetStreamStateAtHandler
{
    public static async Task<Result<StreamState>> Handle(GetStreamStateAt query, IEventLog log, IQuerySession session,
        AggregateRegistry aggregates, TimeProvider clock, CancellationToken ct)
    {
        var stream = await log.FindStreamAsync(query.StreamId, ct);
        if (stream is null) return Failure.NotFound("No such stream.");

        var events = await log.StreamAsync(query.StreamId, query.Version is null ? query.At ?? clock.GetUtcNow() : null, ct);
        if (query.Version is { } version) events = events.Where(e => e.Version <= version).ToList();
        var at = query.Version is not null && events.Count > 0 ? events[^1].Timestamp : query.At ?? clock.GetUtcNow();
        object? state = null;
        if (events.Count > 0 && aggregates.Find(stream.AggregateType) is { } aggregate)
            state = await aggregate.LoadAsync(session, query.StreamId, at, events[^1].Version, ct);
        var described = await AuditDescriber.DescribeAsync(events, session, ct);
        return new StreamState(query.StreamId, stream.AggregateType, at, events.Count == 0 ? 0 : events[^1].Version, state, described,
            StateFields.Of(state), stream.Version);
    }
}
