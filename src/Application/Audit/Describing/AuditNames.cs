using Cocktail.Application.AccessGrants;
using Cocktail.Application.Clusters;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Users;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Access;
using Marten;

namespace Cocktail.Application.Audit.Describing;

/// <summary>What an access grant was, as a summary names it: "dana's edit on checkout (ux-sim-1)".</summary>
public sealed record GrantName(string UserName, string Role, string Target);

/// <summary>
/// Names for the ids an event carries without their names, read from today's read models. An id no read model knows
/// (the object was removed, or never existed) is shown short, as its first eight characters.
/// </summary>
public interface IAuditNames
{
    string User(Guid id);
    string Cluster(Guid id);
    string Workspace(Guid id);
    string ServiceMap(Guid id);
    string Workload(Guid id);
    GrantName? Grant(Guid id);

    /// <summary>Whether a read model named this id (otherwise its name is the short id).</summary>
    bool Knows(Guid id);
}

public static class ShortId
{
    public static string Of(Guid id) => id.ToString()[..8];
}

/// <summary>The first pass: notes which ids the summaries ask for, so that they are loaded in one round trip per kind.</summary>
internal sealed class NameRequests : IAuditNames
{
    public HashSet<Guid> Users { get; } = [];
    public HashSet<Guid> Clusters { get; } = [];
    public HashSet<Guid> Workspaces { get; } = [];
    public HashSet<Guid> ServiceMaps { get; } = [];
    public HashSet<Guid> Workloads { get; } = [];
    public HashSet<Guid> Grants { get; } = [];

    public string User(Guid id) => Note(Users, id);
    public string Cluster(Guid id) => Note(Clusters, id);
    public string Workspace(Guid id) => Note(Workspaces, id);
    public string ServiceMap(Guid id) => Note(ServiceMaps, id);
    public string Workload(Guid id) => Note(Workloads, id);
    public GrantName? Grant(Guid id) { Grants.Add(id); return null; }
    public bool Knows(Guid id) => false;

    private static string Note(HashSet<Guid> ids, Guid id)
    {
        ids.Add(id);
        return ShortId.Of(id);
    }
}

/// <summary>Names as the read models hold them; fixed dictionaries, so usable in unit tests as they are.</summary>
public sealed class AuditNames(
    IReadOnlyDictionary<Guid, string>? users = null, IReadOnlyDictionary<Guid, string>? clusters = null,
    IReadOnlyDictionary<Guid, string>? workspaces = null, IReadOnlyDictionary<Guid, string>? serviceMaps = null,
    IReadOnlyDictionary<Guid, string>? workloads = null, IReadOnlyDictionary<Guid, GrantName>? grants = null) : IAuditNames
{
    public static readonly AuditNames None = new();

    public string User(Guid id) => Find(users, id);
    public string Cluster(Guid id) => Find(clusters, id);
    public string Workspace(Guid id) => Find(workspaces, id);
    public string ServiceMap(Guid id) => Find(serviceMaps, id);
    public string Workload(Guid id) => Find(workloads, id);
    public GrantName? Grant(Guid id) => grants?.GetValueOrDefault(id);
    public bool Knows(Guid id) => new[] { users, clusters, workspaces, serviceMaps, workloads }.Any(n => n?.ContainsKey(id) == true);

    private static string Find(IReadOnlyDictionary<Guid, string>? names, Guid id) =>
        names?.GetValueOrDefault(id) ?? ShortId.Of(id);

    internal static async Task<AuditNames> LoadAsync(IQuerySession session, NameRequests wanted, CancellationToken ct)
    {
        var grants = wanted.Grants.Count == 0 ? [] : await session.LoadManyAsync<AccessGrantView>(ct, wanted.Grants);
        foreach (var grant in grants.Where(g => g.ServiceMapId is not null)) wanted.ServiceMaps.Add(grant.ServiceMapId!.Value);
        var maps = wanted.ServiceMaps.Count == 0 ? [] : await session.LoadManyAsync<ServiceMapView>(ct, wanted.ServiceMaps);
        var mapNames = maps.ToDictionary(m => m.Id, m => $"{m.Name} ({m.ClusterName})");
        return new AuditNames(
            await NamesAsync<UserView>(session, wanted.Users, u => (u.Id, u.UserName), ct),
            await NamesAsync<ClusterView>(session, wanted.Clusters, c => (c.Id, c.Name), ct),
            await NamesAsync<WorkspaceView>(session, wanted.Workspaces, w => (w.Id, w.Name), ct),
            mapNames,
            await NamesAsync<WorkloadView>(session, wanted.Workloads, w => (w.Id, w.Name), ct),
            grants.ToDictionary(g => g.Id, g => new GrantName(g.UserName, g.Role.ClusterRoleName(),
                g.ServiceMapId is { } map && mapNames.TryGetValue(map, out var name) ? name
                : g.Namespace is { } ns ? $"{ns} ({g.ClusterName})" : g.ClusterName)));
    }

    private static async Task<IReadOnlyDictionary<Guid, string>> NamesAsync<T>(IQuerySession session, HashSet<Guid> ids,
        Func<T, (Guid Id, string Name)> name, CancellationToken ct) where T : notnull
    {
        if (ids.Count == 0) return new Dictionary<Guid, string>();
        var found = await session.LoadManyAsync<T>(ct, ids);
        return found.Select(name).ToDictionary(n => n.Id, n => n.Name);
    }
}
