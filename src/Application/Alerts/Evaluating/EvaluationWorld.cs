using Cocktail.Application.AccessGrants;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.Alerts.Evaluating;

/// <summary>
/// What one evaluation knows of Cocktail's own state, read once per tick: clusters and their health, workspaces,
/// service maps, open grants, and each cluster's inventory (nodes, pods, workloads) when a rule first asks for it.
/// </summary>
public sealed class EvaluationWorld(IInventoryReader inventory)
{
    public IReadOnlyList<ClusterView> Clusters { get; private set; } = [];
    public IReadOnlyList<WorkspaceView> Workspaces { get; private set; } = [];
    public IReadOnlyList<ServiceMapView> ServiceMaps { get; private set; } = [];
    public IReadOnlyList<AccessGrantView> OpenGrants { get; private set; } = [];
    public IReadOnlyDictionary<Guid, string> ClusterNames { get; private set; } = new Dictionary<Guid, string>();

    private readonly Dictionary<(Guid, InventoryKind), object> _inventory = [];

    public static async Task<EvaluationWorld> LoadAsync(IQuerySession session, IInventoryReader inventory, CancellationToken ct)
    {
        var world = new EvaluationWorld(inventory)
        {
            Clusters = await session.Query<ClusterView>().ToListAsync(ct),
            Workspaces = await session.Query<WorkspaceView>().ToListAsync(ct),
            ServiceMaps = await session.Query<ServiceMapView>().ToListAsync(ct),
            OpenGrants = await session.Query<AccessGrantView>().Where(g => g.RevokedAt == null && g.ExpiredAt == null).ToListAsync(ct),
        };
        world.ClusterNames = world.Clusters.ToDictionary(c => c.Id, c => c.Name);
        return world;
    }

    /// <summary>The clusters a scope watches: every cluster for the platform, a workspace's assigned clusters for it.</summary>
    public IEnumerable<ClusterView> ClustersOf(Guid? workspaceId)
    {
        if (workspaceId is not { } id) return Clusters;
        var assigned = Workspaces.FirstOrDefault(w => w.Id == id)?.Clusters.Select(c => c.ClusterId).ToHashSet() ?? [];
        return Clusters.Where(c => assigned.Contains(c.Id));
    }

    public IEnumerable<ServiceMapView> MapsOf(Guid workspaceId, Guid clusterId) =>
        ServiceMaps.Where(m => m.WorkspaceId == workspaceId && m.ClusterId == clusterId);

    public ServiceMapView? MapAt(Guid clusterId, string? ns) =>
        ns is null ? null : ServiceMaps.FirstOrDefault(m => m.ClusterId == clusterId && m.Namespace == ns);

    public async Task<IReadOnlyList<T>> ListAsync<T>(Guid clusterId, InventoryKind kind, CancellationToken ct)
    {
        if (_inventory.TryGetValue((clusterId, kind), out var cached)) return (IReadOnlyList<T>)cached;
        var all = new List<T>();
        for (var page = 1; ; page++)
        {
            var batch = await inventory.ListAsync<T>(clusterId, [kind], new InventoryFilter(), page, Common.Paging.MaxPageSize, ct);
            all.AddRange(batch.Items);
            if (batch.Items.Count < batch.PageSize || all.Count >= batch.Total) break;
        }
        _inventory[(clusterId, kind)] = all;
        return all;
    }
}
