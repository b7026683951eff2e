using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Clusters.Listing;

public sealed record ListClusterNodes(Guid ClusterId, string? Search = null, int Page = 1, int PageSize = 50) : IRequest<Page<NodeInfo>>;

public sealed record ListClusterNamespaces(Guid ClusterId, string? Search = null, int Page = 1, int PageSize = 50) : IRequest<Page<NamespaceInfo>>;

public sealed record ListClusterWorkloads(Guid ClusterId, InventoryKind? Kind = null, string? Namespace = null, string? Search = null,
    int Page = 1, int PageSize = 50) : IRequest<Page<WorkloadInfo>>;

public sealed record ListClusterPods(Guid ClusterId, string? Namespace = null, string? Node = null, string? Phase = null,
    string? Search = null, int Page = 1, int PageSize = 50) : IRequest<Page<PodInfo>>;

public sealed record ListClusterServices(Guid ClusterId, string? Namespace = null, int Page = 1, int PageSize = 50) : IRequest<Page<ServiceInfo>>;

public sealed record ListClusterIngresses(Guid ClusterId, string? Namespace = null, int Page = 1, int PageSize = 50) : IRequest<Page<IngressInfo>>;

/// <summary>Newest first; type is Normal or Warning; object matches "Kind/name" or a name.</summary>
public sealed record ListClusterEvents(Guid ClusterId, string? Type = null, string? Namespace = null, string? Object = null,
    int Page = 1, int PageSize = 100) : IRequest<Page<KubeEventInfo>>;

public sealed class ListClusterWorkloadsValidator : AbstractValidator<ListClusterWorkloads>
{
    public ListClusterWorkloadsValidator() =>
        RuleFor(x => x.Kind).Must(k => k is null || InventoryQueries.WorkloadKinds.Contains(k.Value))
            .WithMessage("Workload kinds are Deployment, StatefulSet, DaemonSet, Job and CronJob.");
}

public sealed class ListClusterEventsValidator : AbstractValidator<ListClusterEvents>
{
    public ListClusterEventsValidator() =>
        RuleFor(x => x.Type).Must(t => t is null || t is "Normal" or "Warning").WithMessage("Event types are Normal and Warning.");
}

public static class InventoryQueries
{
    public static readonly InventoryKind[] WorkloadKinds =
        [InventoryKind.Deployment, InventoryKind.StatefulSet, InventoryKind.DaemonSet, InventoryKind.Job, InventoryKind.CronJob];

    /// <summary>
    /// The inventory the actor may read: all of it, or (a member on a shared cluster) only their service maps'
    /// namespaces, with nodes as capacity (no labels). A namespace asked for outside the scope answers empty.
    /// </summary>
    public static async Task<Result<Page<T>>> ListAsync<T>(Actor actor, Guid clusterId, IReadOnlyCollection<InventoryKind> kinds,
        InventoryFilter filter, int page, int pageSize, IQuerySession session, IInventoryReader inventory, CancellationToken ct)
    {
        var scope = await ClusterScope.InventoryScopeAsync(actor, clusterId, session, ct);
        if (!scope.Visible) return Failure.NotFound("No such cluster.");
        if (scope.IsFull) return await inventory.ListAsync<T>(clusterId, kinds, filter, page, pageSize, ct);
        if (!scope.Allows(filter.Namespace)) return Empty<T>(page, pageSize);
        var bounded = kinds.SequenceEqual([InventoryKind.Node]) ? filter : filter with { Namespaces = scope.Namespaces };
        var found = await inventory.ListAsync<T>(clusterId, kinds, bounded, page, pageSize, ct);
        return found with { Items = found.Items.Select(CapacityOnly).ToList() };
    }

    public static async Task<Result<Page<KubeEventInfo>>> EventsAsync(Actor actor, Guid clusterId, EventFilter filter, int page, int pageSize,
        IQuerySession session, IInventoryReader inventory, CancellationToken ct)
    {
        var scope = await ClusterScope.InventoryScopeAsync(actor, clusterId, session, ct);
        if (!scope.Visible) return Failure.NotFound("No such cluster.");
        if (!scope.Allows(filter.Namespace)) return Empty<KubeEventInfo>(page, pageSize);
        return await inventory.EventsAsync(clusterId, scope.IsFull ? filter : filter with { Namespaces = scope.Namespaces }, page, pageSize, ct);
    }

    public static async Task<bool> VisibleAsync(Actor actor, Guid clusterId, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<ClusterView>(clusterId, ct) is not null && await ClusterScope.CanSeeAsync(actor, clusterId, session, ct);

    private static Page<T> Empty<T>(int page, int pageSize)
    {
        var (number, size) = Paging.Clamp(page, pageSize);
        return new Page<T>([], 0, number, size);
    }

    /// <summary>Node labels name other teams' pools, zones and hardware; on a shared cluster a member sees capacity only.</summary>
    private static T CapacityOnly<T>(T item) =>
        item is NodeInfo node ? (T)(object)(node with { Labels = new Dictionary<string, string>() }) : item;
}

public static class ListClusterNodesHandler
{
    public static Task<Result<Page<NodeInfo>>> Handle(ListClusterNodes q, Actor actor, IQuerySession session, IInventoryReader inventory, CancellationToken ct) =>
        InventoryQueries.ListAsync<NodeInfo>(actor, q.ClusterId, [InventoryKind.Node], new(Search: q.Search), q.Page, q.PageSize, session, inventory, ct);
}

public static class ListClusterNamespacesHandler
{
    public static Task<Result<Page<NamespaceInfo>>> Handle(ListClusterNamespaces q, Actor actor, IQuerySession session, IInventoryReader inventory, CancellationToken ct) =>
        InventoryQueries.ListAsync<NamespaceInfo>(actor, q.ClusterId, [InventoryKind.Namespace], new(Search: q.Search), q.Page, q.PageSize, session, inventory, ct);
}

public static class ListClusterWorkloadsHandler
{
    public static Task<Result<Page<WorkloadInfo>>> Handle(ListClusterWorkloads q, Actor actor, IQuerySession session, IInventoryReader inventory, CancellationToken ct) =>
        InventoryQueries.ListAsync<WorkloadInfo>(actor, q.ClusterId, q.Kind is { } kind ? [kind] : InventoryQueries.WorkloadKinds,
            new(q.Namespace, q.Search), q.Page, q.PageSize, session, inventory, ct);
}

public static class ListClusterPodsHandler
{
    public static Task<Result<Page<PodInfo>>> Handle(ListClusterPods q, Actor actor, IQuerySession session, IInventoryReader inventory, CancellationToken ct) =>
        InventoryQueries.ListAsync<PodInfo>(actor, q.ClusterId, [InventoryKind.Pod], new(q.Namespace, q.Search, q.Node, q.Phase),
            q.Page, q.PageSize, session, inventory, ct);
}

public static class ListClusterServicesHandler
{
    public static Task<Result<Page<ServiceInfo>>> Handle(ListClusterServices q, Actor actor, IQuerySession session, IInventoryReader inventory, CancellationToken ct) =>
        InventoryQueries.ListAsync<ServiceInfo>(actor, q.ClusterId, [InventoryKind.Service], new(q.Namespace), q.Page, q.PageSize, session, inventory, ct);
}

public static class ListClusterIngressesHandler
{
    public static Task<Result<Page<IngressInfo>>> Handle(ListClusterIngresses q, Actor actor, IQuerySession session, IInventoryReader inventory, CancellationToken ct) =>
        InventoryQueries.ListAsync<IngressInfo>(actor, q.ClusterId, [InventoryKind.Ingress], new(q.Namespace), q.Page, q.PageSize, session, inventory, ct);
}

public static class ListClusterEventsHandler
{
    public static async Task<Result<Page<KubeEventInfo>>> Handle(ListClusterEvents q, Actor actor, IQuerySession session,
        IInventoryReader inventory, CancellationToken ct)
    {
        return await InventoryQueries.EventsAsync(actor, q.ClusterId, new EventFilter(q.Type, q.Namespace, q.Object), q.Page, q.PageSize,
            session, inventory, ct);
    }
}
