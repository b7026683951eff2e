using System.Collections.Immutable;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

/// <summary><c>MaxPodSecurity</c> is the ceiling a platform admin set; null means the mode's default.</summary>
public sealed record Assignment(Guid WorkspaceId, string WorkspaceName, AssignmentMode Mode, Quota Quota, PodSecurityLevel? MaxPodSecurity = null)
{
    public PodSecurityLevel PodSecurityCeiling => MaxPodSecurity ?? PodSecurityBounds.DefaultCeiling(Mode);
}

public sealed record Allocation(Guid ServiceMapId, Guid WorkspaceId, string Name, string Namespace, Quota Quota);

/// <summary>
/// How one cluster's capacity is divided: workspaces (dedicated or shared, each with a quota) and, inside each,
/// service maps whose quotas may never add up to more than the workspace's.
/// </summary>
public sealed record ClusterAllocation(
    Guid Id, Guid ClusterId, string ClusterName,
    ImmutableDictionary<Guid, Assignment> Assignments,
    ImmutableDictionary<Guid, Allocation> ServiceMaps)
{
    /// <summary>A cluster's allocation stream has an id derived from the cluster's, so any handler can find it.</summary>
    public static Guid StreamIdFor(Guid clusterId) => DerivedIds.From("cocktail:allocation:", clusterId);

    // Marten's generated aggregation finds the stream's identity by the Id member.
    public static ClusterAllocation Empty(Guid clusterId, string clusterName) =>
        new(StreamIdFor(clusterId), clusterId, clusterName, ImmutableDictionary<Guid, Assignment>.Empty, ImmutableDictionary<Guid, Allocation>.Empty);

    public Decision Assign(Guid workspaceId, string workspaceName, AssignmentMode mode, Quota quota, ActorRef by, DateTimeOffset at)
    {
        if (Assignments.ContainsKey(workspaceId))
            return DomainError.Conflict($"The workspace already has cluster '{ClusterName}'; change its assignment instead.");
        if (ExclusivityProblem(workspaceId, mode) is { } problem) return problem;
        return Decision.Accept(new ClusterAssignedToWorkspace(ClusterId, ClusterName, workspaceId, workspaceName, mode, quota, by, at));
    }

    public Decision ChangeAssignment(Guid workspaceId, AssignmentMode mode, Quota quota, Guid? requestId, ActorRef by, DateTimeOffset at)
    {
        if (!Assignments.TryGetValue(workspaceId, out var current))
            return DomainError.NotFound($"The workspace has no quota on cluster '{ClusterName}'.");
        if (ExclusivityProblem(workspaceId, mode) is { } problem) return problem;
        var allocated = Quota.Sum(ServiceMapsOf(workspaceId).Select(s => s.Quota));
        var excess = allocated.Exceeding(quota);
        if (excess.Count > 0)
            return DomainError.Invalid($"The workspace's service maps on '{ClusterName}' already hold more than that: {QuotaTotals.Describe(excess)}. Lower their quotas first.", "quota");
        if (current.Mode == mode && current.Quota == quota) return Decision.Nothing;
        return Decision.Accept(new WorkspaceAssignmentChanged(ClusterId, ClusterName, workspaceId, current.WorkspaceName,
            current.Mode, mode, current.Quota, quota, requestId, by, at));
    }

    /// <summary>Platform admins only (the handler's role requirement): how loose the workspace's service maps may go here.</summary>
    public Decision ChangePodSecurityCeiling(Guid workspaceId, PodSecurityLevel? max, ActorRef by, DateTimeOffset at)
    {
        if (!Assignments.TryGetValue(workspaceId, out var current))
            return DomainError.NotFound($"The workspace has no quota on cluster '{ClusterName}'.");
        if (current.MaxPodSecurity == max) return Decision.Nothing;
        return Decision.Accept(new AssignmentPodSecurityCeilingChanged(ClusterId, ClusterName, workspaceId, current.WorkspaceName,
            current.MaxPodSecurity, max, by, at));
    }

    /// <summary>The loosest level the workspace's service maps may have here; null when the workspace has no assignment.</summary>
    public PodSecurityLevel? PodSecurityCeiling(Guid workspaceId) =>
        Assignments.TryGetValue(workspaceId, out var assignment) ? assignment.PodSecurityCeiling : null;

    public Decision Unassign(Guid workspaceId, string? reason, ActorRef by, DateTimeOffset at)
    {
        if (!Assignments.TryGetValue(workspaceId, out var current))
            return DomainError.NotFound($"The workspace has no quota on cluster '{ClusterName}'.");
        var maps = ServiceMapsOf(workspaceId).Count();
        if (maps > 0) return DomainError.Conflict($"The workspace still has {maps} service map(s) on '{ClusterName}'; delete them first.");
        return Decision.Accept(new ClusterUnassignedFromWorkspace(ClusterId, ClusterName, workspaceId, current.WorkspaceName, by, at, RemovalReason.Optional(reason)));
    }

    public Decision AllocateServiceMap(Guid serviceMapId, Guid workspaceId, string name, string ns, Quota quota, ActorRef by, DateTimeOffset at)
    {
        if (!Assignments.TryGetValue(workspaceId, out var assignment))
            return DomainError.Invalid($"The workspace has no quota on cluster '{ClusterName}'; ask a platform admin to assign it.", "clusterId");
        if (ServiceMaps.Values.Any(s => s.Namespace == ns))
            return DomainError.Conflict($"Namespace '{ns}' is already used on cluster '{ClusterName}'.", "namespace");
        var excess = Quota.Sum(ServiceMapsOf(workspaceId).Select(s => s.Quota).Append(quota)).Exceeding(assignment.Quota);
        if (excess.Count > 0)
            return DomainError.Invalid($"This would exceed the workspace's quota on '{ClusterName}': {QuotaTotals.Describe(excess)}.", "quota");
        return Decision.Accept(new ServiceMapQuotaAllocated(ClusterId, workspaceId, serviceMapId, name, ns, quota, by, at));
    }

    public Decision ChangeServiceMapQuota(Guid serviceMapId, Quota quota, Guid? requestId, ActorRef by, DateTimeOffset at)
    {
        if (!ServiceMaps.TryGetValue(serviceMapId, out var map)) return DomainError.NotFound("No such service map.");
        var assignment = Assignments[map.WorkspaceId];
        var others = ServiceMapsOf(map.WorkspaceId).Where(s => s.ServiceMapId != serviceMapId).Select(s => s.Quota);
        var excess = Quota.Sum(others.Append(quota)).Exceeding(assignment.Quota);
        if (excess.Count > 0)
            return DomainError.Invalid($"This would exceed the workspace's quota on '{ClusterName}': {QuotaTotals.Describe(excess)}.", "quota");
        if (map.Quota == quota) return Decision.Nothing;
        return Decision.Accept(new ServiceMapQuotaChanged(ClusterId, map.WorkspaceId, serviceMapId, map.Name, map.Quota, quota, requestId, by, at));
    }

    public Decision ReleaseServiceMap(Guid serviceMapId, ActorRef by, DateTimeOffset at) =>
        ServiceMaps.TryGetValue(serviceMapId, out var map)
            ? Decision.Accept(new ServiceMapQuotaReleased(ClusterId, map.WorkspaceId, serviceMapId, map.Name, map.Namespace, by, at))
            : Decision.Nothing;

    public IEnumerable<Allocation> ServiceMapsOf(Guid workspaceId) => ServiceMaps.Values.Where(s => s.WorkspaceId == workspaceId);

    private DomainError? ExclusivityProblem(Guid workspaceId, AssignmentMode mode)
    {
        var others = Assignments.Values.Where(a => a.WorkspaceId != workspaceId).ToList();
        if (others.Any(a => a.Mode == AssignmentMode.Dedicated))
            return DomainError.Conflict($"Cluster '{ClusterName}' is dedicated to another workspace.", "mode");
        if (mode == AssignmentMode.Dedicated && others.Count > 0)
            return DomainError.Conflict($"Cluster '{ClusterName}' is shared with {others.Count} other workspace(s); it cannot be dedicated.", "mode");
        return null;
    }

    // The stream starts with the first assignment; Marten needs a way to build the state from it.
    public static ClusterAllocation Create(ClusterAssignedToWorkspace e) => Empty(e.ClusterId, e.ClusterName).Apply(e);

    public ClusterAllocation Apply(ClusterAssignedToWorkspace e) =>
        this with { Assignments = Assignments.SetItem(e.WorkspaceId, new Assignment(e.WorkspaceId, e.WorkspaceName, e.Mode, e.Quota)) };

    public ClusterAllocation Apply(WorkspaceAssignmentChanged e) =>
        this with { Assignments = Assignments.SetItem(e.WorkspaceId, Assignments[e.WorkspaceId] with { Mode = e.ToMode, Quota = e.ToQuota }) };

    public ClusterAllocation Apply(AssignmentPodSecurityCeilingChanged e) =>
        Assignments.TryGetValue(e.WorkspaceId, out var current)
            ? this with { Assignments = Assignments.SetItem(e.WorkspaceId, current with { MaxPodSecurity = e.To }) }
            : this;

    public ClusterAllocation Apply(ClusterUnassignedFromWorkspace e) => this with { Assignments = Assignments.Remove(e.WorkspaceId) };

    public ClusterAllocation Apply(ServiceMapQuotaAllocated e) =>
        this with { ServiceMaps = ServiceMaps.SetItem(e.ServiceMapId, new Allocation(e.ServiceMapId, e.WorkspaceId, e.ServiceMapName, e.Namespace, e.Quota)) };

    public ClusterAllocation Apply(ServiceMapQuotaChanged e) =>
        this with { ServiceMaps = ServiceMaps.SetItem(e.ServiceMapId, ServiceMaps[e.ServiceMapId] with { Quota = e.To }) };

    public ClusterAllocation Apply(ServiceMapQuotaReleased e) => this with { ServiceMaps = ServiceMaps.Remove(e.ServiceMapId) };
}
