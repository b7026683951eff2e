using Cocktail.Domain.Common;
using Marten;

namespace Cocktail.Application.Common;

/// <summary>
/// The write side of every aggregate command: load the stream (checking the caller's expected version when it sent
/// one, so concurrent edits answer 409 rather than overwrite), decide, append.
/// </summary>
public static class AggregateStreams
{
    public static async Task<Result<Accepted>> DecideAsync<T>(IDocumentSession session, Guid id, long? expectedVersion,
        Func<T, Decision> decide, string notFound, CancellationToken ct) where T : class
    {
        var stream = expectedVersion is { } version
            ? await session.Events.FetchForWriting<T>(id, version, ct)
            : await session.Events.FetchForWriting<T>(id, ct);
        if (stream.Aggregate is null) return Failure.NotFound(notFound);

        var decision = decide(stream.Aggregate);
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return new Accepted(id, (stream.StartingVersion ?? 0) + decision.Events.Count);
    }
}
