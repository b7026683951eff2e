using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Workloads;
using Marten;

namespace Cocktail.Application.Workloads.Listing;

public sealed record ListWorkloads(Guid ServiceMapId, string? Search = null, int Page = 1, int PageSize = 50) : IRequest<Page<WorkloadView>>;

/// <summary>Every workload of a workspace, across its service maps.</summary>
public sealed record ListWorkspaceWorkloads(Guid WorkspaceId, int Page = 1, int PageSize = 50) : IRequest<Page<WorkloadView>>;

/// <summary>A workload, with its current spec as YAML (what the YAML editor starts from).</summary>
public sealed record GetWorkload(Guid WorkloadId) : IRequest<WorkloadDetails>;

public sealed record WorkloadDetails(WorkloadView Workload, string Yaml);

public sealed record GetWorkloadRevisions(Guid WorkloadId) : IRequest<IReadOnlyList<WorkloadRevision>>;

/// <summary>One revision: what changed it, who and why, its whole spec, and what differs from the revision before.</summary>
public sealed record WorkloadRevision(
    int Revision, string Change, string By, DateTimeOffset At, string? Reason, int? RestoredRevision, WorkloadSpec? Spec,
    IReadOnlyList<SpecChange> Changes);

public sealed record GetWorkloadPods(Guid WorkloadId) : IRequest<IReadOnlyList<PodInfo>>;

public sealed record GetWorkloadEvents(Guid WorkloadId, int Page = 1, int PageSize = 50) : IRequest<Page<KubeEventInfo>>;

/// <summary>
/// A container's log (by default the first running pod's first container); <c>Follow</c> keeps it open as the container writes;
/// <c>Previous</c> reads the container that ran before the last restart.
/// </summary>
public sealed record OpenWorkloadLog(Guid WorkloadId, string? Pod = null, string? Container = null, bool Follow = false, int? TailLines = null,
    bool Previous = false) : IRequest<WorkloadLog>;

public sealed record WorkloadLog(Stream Content, string Pod, string Container);

internal static class WorkloadAccess
{
    public static async Task<Result<WorkloadView>> LoadAsync(IQuerySession session, Actor actor, Guid workloadId, CancellationToken ct)
    {
        var view = await session.LoadAsync<WorkloadView>(workloadId, ct);
        if (view is null) return Failure.NotFound("No such workload.");
        var map = await ServiceMapAccess.LoadAsync(session, actor, view.ServiceMapId, null, ct);
        if (map.Failure is { Kind: FailureKind.NotFound }) return Failure.NotFound("No such workload.");
        return map.Failure is { } failure ? failure : view;
    }
}

public static class ListWorkloadsHandler
{
    public static async Task<Result<Page<WorkloadView>>> Handle(ListWorkloads query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var map = await ServiceMapAccess.LoadAsync(session, actor, query.ServiceMapId, null, ct);
        if (map.Failure is { } failure) return failure;
        var workloads = session.Query<WorkloadView>().Where(w => w.ServiceMapId == query.ServiceMapId);
        if (!string.IsNullOrWhiteSpace(query.Search)) workloads = workloads.Where(w => w.Name.Contains(query.Search.Trim()));
        return await Paging.ToPageAsync(workloads.OrderBy(w => w.Name), query.Page, query.PageSize, ct);
    }
}

public static class ListWorkspaceWorkloadsHandler
{
    public static async Task<Result<Page<WorkloadView>>> Handle(ListWorkspaceWorkloads query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        var workloads = session.Query<WorkloadView>().Where(w => w.WorkspaceId == query.WorkspaceId);
        return await Paging.ToPageAsync(workloads.OrderBy(w => w.Namespace).ThenBy(w => w.Name), query.Page, query.PageSize, ct);
    }
}

public static class GetWorkloadHandler
{
    public static async Task<Result<WorkloadDetails>> Handle(GetWorkload query, Actor actor, IQuerySession session, IWorkloadYaml yaml, CancellationToken ct)
    {
        var view = await WorkloadAccess.LoadAsync(session, actor, query.WorkloadId, ct);
        if (view.Failure is { } failure) return failure;
        return new WorkloadDetails(view.Value!, yaml.Write(view.Value!.Spec));
    }
}

public static class GetWorkloadRevisionsHandler
{
    /// <summary>Replayed from the workload's stream, newest first; each revision compared with the one before it.</summary>
    public static async Task<Result<IReadOnlyList<WorkloadRevision>>> Handle(GetWorkloadRevisions query, Actor actor, IQuerySession session,
        CancellationToken ct)
    {
        var view = await WorkloadAccess.LoadAsync(session, actor, query.WorkloadId, ct);
        if (view.Failure is { } failure) return failure;
        var events = await session.Events.FetchStreamAsync(query.WorkloadId, token: ct);
        var revisions = new List<WorkloadRevision>();
        WorkloadSpec? previous = null;
        foreach (var data in events.Select(e => e.Data))
        {
            var revision = data switch
            {
                WorkloadDeployed e => new WorkloadRevision(e.Revision, "Deployed", e.DeployedBy.Name, e.DeployedAt, e.Reason, null, e.Spec, []),
                WorkloadUpdated e => new WorkloadRevision(e.Revision, "Updated", e.UpdatedBy.Name, e.UpdatedAt, e.Reason, null, e.Spec, []),
                WorkloadScaled e => new WorkloadRevision(e.Revision, "Scaled", e.ScaledBy.Name, e.ScaledAt, e.Reason, null, e.Spec, []),
                WorkloadRolledBack e => new WorkloadRevision(e.Revision, "Rolled back", e.RolledBackBy.Name, e.RolledBackAt, e.Reason, e.ToRevision, e.Spec, []),
                WorkloadDeleted e => new WorkloadRevision(e.Revision, "Deleted", e.DeletedBy.Name, e.DeletedAt, e.Reason, null, null, []),
                _ => null,
            };
            if (revision is null) continue;
            if (revision.Spec is { } spec)
            {
                revision = revision with { Changes = SpecDiff.Between(previous, spec) };
                previous = spec;
            }
            revisions.Add(revision);
        }
        revisions.Reverse();
        return revisions;
    }
}

public static class GetWorkloadPodsHandler
{
    public static async Task<Result<IReadOnlyList<PodInfo>>> Handle(GetWorkloadPods query, Actor actor, IQuerySession session,
        IWorkloadInventory inventory, CancellationToken ct)
    {
        var view = await WorkloadAccess.LoadAsync(session, actor, query.WorkloadId, ct);
        if (view.Failure is { } failure) return failure;
        return (await inventory.PodsAsync(view.Value!.ClusterId, view.Value.Id, ct)).Select(p => p.Pod).ToList();
    }
}

public static class GetWorkloadEventsHandler
{
    public static async Task<Result<Page<KubeEventInfo>>> Handle(GetWorkloadEvents query, Actor actor, IQuerySession session,
        IWorkloadInventory inventory, CancellationToken ct)
    {
        var view = await WorkloadAccess.LoadAsync(session, actor, query.WorkloadId, ct);
        if (view.Failure is { } failure) return failure;
        var w = view.Value!;
        return await inventory.EventsAsync(w.ClusterId, w.Namespace, w.Name, w.Kind, query.Page, query.PageSize, ct);
    }
}

public static class OpenWorkloadLogHandler
{
    /// <summary>Only pods of this workload (by Cocktail's label), so a log link cannot read another workload's pod.</summary>
    public static async Task<Result<WorkloadLog>> Handle(OpenWorkloadLog query, Actor actor, IQuerySession session, IWorkloadInventory inventory,
        IWorkloadApplier clusters, ICredentialVault vault, CancellationToken ct)
    {
        var view = await WorkloadAccess.LoadAsync(session, actor, query.WorkloadId, ct);
        if (view.Failure is { } failure) return failure;
        var w = view.Value!;
        var pods = (await inventory.PodsAsync(w.ClusterId, w.Id, ct)).Select(p => p.Pod).ToList();
        var pod = query.Pod is { } name ? pods.FirstOrDefault(p => p.Name == name) : pods.OrderBy(p => p.Phase == "Running" ? 0 : 1).FirstOrDefault();
        if (pod is null)
            return query.Pod is null
                ? Failure.NotFound("The workload has no pods on the cluster yet.")
                : new Failure(FailureKind.NotFound, $"The workload has no pod '{query.Pod}'.", Fields("pod", "Choose one of the workload's pods."));
        var container = query.Container ?? pod.Containers.FirstOrDefault()?.Name ?? "";
        if (pod.Containers.All(c => c.Name != container))
            return Failure.Invalid($"The pod has no container '{container}'; it has: {string.Join(", ", pod.Containers.Select(c => c.Name))}.", "container");
        var credential = await session.LoadAsync<ClusterCredential>(w.ClusterId, ct);
        if (credential is null) return Failure.NotFound("The workload's cluster is no longer registered.");
        var (log, problem, message) = await clusters.OpenLogAsync(vault.Unprotect(credential.Protected), w.Namespace, pod.Name, container,
            query.Follow && !query.Previous, query.TailLines, query.Previous, ct);
        return problem switch
        {
            LogSourceProblem.None => new WorkloadLog(log!, pod.Name, container),
            LogSourceProblem.NoSuchPod => Failure.NotFound($"The pod is gone from the cluster: {message}"),
            LogSourceProblem.Unreachable => new Failure(FailureKind.Unavailable, $"The cluster does not answer: {message}"),
            _ => Failure.Conflict($"The cluster refused to send the log: {message}"),
        };
    }

    private static Dictionary<string, string[]> Fields(string field, string message) => new() { [field] = [message] };
}
