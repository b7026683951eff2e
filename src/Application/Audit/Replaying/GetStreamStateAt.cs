using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Audit.Replaying;

/// <summary>An entity as it was at a moment, rebuilt from its events up to then, with those events.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetStreamStateAt(Guid StreamId, DateTimeOffset? At = null) : IRequest<StreamState>;

public sealed record StreamState(Guid StreamId, string? AggregateType, DateTimeOffset At, long Version, object? State,
    IReadOnlyList<AuditEntry> Events);

public static class GetStreamStateAtHandler
{
    public static async Task<Result<StreamState>> Handle(GetStreamStateAt query, IEventLog log, IQuerySession session,
        AggregateRegistry aggregates, TimeProvider clock, CancellationToken ct)
    {
        var stream = await log.FindStreamAsync(query.StreamId, ct);
        if (stream is null) return Failure.NotFound("No such stream.");

        var at = query.At ?? clock.GetUtcNow();
        var events = await log.StreamAsync(query.StreamId, at, ct);
        object? state = null;
        if (events.Count > 0 && aggregates.Find(stream.AggregateType) is { } aggregate)
            state = await aggregate.LoadAsync(session, query.StreamId, at, ct);
        return new StreamState(query.StreamId, stream.AggregateType, at, events.Count == 0 ? 0 : events[^1].Version, state, events);
    }
}
