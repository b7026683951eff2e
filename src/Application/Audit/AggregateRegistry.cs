using Marten;

namespace Cocktail.Application.Audit;

/// <summary>
/// Which aggregate each stream type rebuilds into, so time travel works for any stream without a switch over
/// every capability. Capabilities register their aggregates in their Configuration.
/// </summary>
public sealed class AggregateRegistry
{
    private readonly Dictionary<string, AggregateLoader> _byStreamType = new(StringComparer.OrdinalIgnoreCase);

    public AggregateRegistry Register<T>() where T : class
    {
        // By version when the caller knows it: several events of one command share a timestamp.
        var loader = new AggregateLoader(typeof(T).Name, async (session, id, at, version, ct) =>
            await session.Events.AggregateStreamAsync<T>(id, version: version, token: ct));
        // Marten records a stream's aggregate type by its alias; accept the CLR names too.
        foreach (var key in new[] { typeof(T).Name, typeof(T).FullName!, ToAlias(typeof(T).Name) })
            _byStreamType[key] = loader;
        return this;
    }

    public AggregateLoader? Find(string? streamType) =>
        streamType is not null && _byStreamType.TryGetValue(streamType, out var loader) ? loader : null;

    private static string ToAlias(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}

public sealed record AggregateLoader(string Name, Func<IQuerySession, Guid, DateTimeOffset, long, CancellationToken, Task<object?>> LoadAsync);
