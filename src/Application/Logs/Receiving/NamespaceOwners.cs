using System.Collections.Concurrent;
using Cocktail.Application.ServiceMaps;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.Receiving;

/// <summary>The service map (and its workspace) that owns a namespace on a cluster.</summary>
public readonly record struct NamespaceOwner(Guid ServiceMapId, Guid WorkspaceId);

/// <summary>
/// Which service map owns each namespace of a cluster, from the service maps' read model, reused for a few seconds:
/// every batch needs it and it changes only when a service map is created or deleted. A namespace created moments ago
/// is attributed once the table is read again (<see cref="OtlpOptions.OwnersCacheTtl"/>).
/// </summary>
public sealed class NamespaceOwners(IDocumentStore documents, TimeProvider clock, IOptions<OtlpOptions> options)
{
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset ReadAt, IReadOnlyDictionary<string, NamespaceOwner> Owners)> _cache = new();

    public async ValueTask<IReadOnlyDictionary<string, NamespaceOwner>> ForClusterAsync(Guid clusterId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(clusterId, out var cached) && now - cached.ReadAt < options.Value.OwnersCacheTtl) return cached.Owners;
        await using var session = documents.QuerySession();
        var maps = await session.Query<ServiceMapView>().Where(m => m.ClusterId == clusterId).ToListAsync(ct);
        var owners = maps
            .GroupBy(m => m.Namespace, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new NamespaceOwner(g.First().Id, g.First().WorkspaceId), StringComparer.Ordinal);
        _cache[clusterId] = (now, owners);
        return owners;
    }
}
