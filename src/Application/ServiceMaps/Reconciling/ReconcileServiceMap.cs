using Cocktail.Application.Common;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Configuration;
using Wolverine.Transports.Local;

namespace Cocktail.Application.ServiceMaps.Reconciling;

/// <summary>
/// Make the cluster match one service map. Sent through Wolverine's durable outbox after every change, so a crash
/// between the command and the cluster loses nothing. Idempotent: applying twice changes nothing on the cluster.
/// With <see cref="DriftCheck"/>, a Ready service map is compared with the cluster first and corrected.
/// </summary>
public sealed record ReconcileServiceMap(Guid ServiceMapId, bool DriftCheck = false, int Attempt = 0);

/// <summary>Members changed: every service map of the workspace needs its RoleBindings again.</summary>
public sealed record ReconcileWorkspaceServiceMaps(Guid WorkspaceId);

/// <summary>A cluster came back, or the periodic pass runs: every service map there is reconciled (and drift-checked).</summary>
public sealed record ReconcileClusterServiceMaps(Guid ClusterId, bool DriftCheck = false);

/// <summary>The periodic pass over every service map: retries Pending and Failed ones, corrects drift on Ready ones.</summary>
public sealed record CheckAllServiceMaps;

public sealed class ReconcilingOptions
{
    public const string Section = "Cocktail:Reconciling";

    /// <summary>How often every service map is compared with its cluster (drift) and Pending ones retried.</summary>
    public TimeSpan DriftInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// When a reconcile is tried again after its cluster did not answer, one delay per attempt and the last one
    /// repeating, as Wolverine's own <c>ScheduleRetry</c> takes them. The reconcile is scheduled through the durable
    /// outbox rather than retried by Wolverine's error policy, because the failure is recorded as an event first (the
    /// console shows "unreachable" at once) and a policy retry would roll that event back.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> UnreachableRetryDelays =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40),
         TimeSpan.FromSeconds(80), TimeSpan.FromSeconds(160), TimeSpan.FromMinutes(5)];

    public static TimeSpan RetryUnreachableAfter(int attempt) =>
        UnreachableRetryDelays[Math.Clamp(attempt, 0, UnreachableRetryDelays.Count - 1)];
}

public sealed class ReconcileServiceMapHandler : IConfigureLocalQueue
{
    private static readonly TimeSpan DeletionPoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Reconciling mostly waits: on the database, and on clusters that may be far away. Wolverine's default (the
    /// number of CPUs, at least 5) left a burst of service maps over many clusters queued behind a few slow round
    /// trips; each cluster still sees only a few writers at once (the applier bounds that per cluster).
    /// </summary>
    public const int Parallelism = 32;

    public static void Configure(LocalQueueConfiguration queue) => queue.MaximumParallelMessages(Parallelism);

    public static async Task Handle(ReconcileServiceMap command, IDocumentSession session, IServiceMapApplier applier,
        ICredentialVault vault, IMessageContext messages, IOptions<KubernetesIdentityOptions> identity, TimeProvider clock,
        IExclusiveTurns turns, CancellationToken ct)
    {
        // One reconciliation of a service map at a time across replicas, and its verdict committed before the next
        // one reads: otherwise two replicas both find the map Pending and both record it Ready, or the one that read
        // the older settings finishes last and puts them back on the cluster until the next drift pass.
        await using var turn = await turns.TakeAsync("service-map", command.ServiceMapId, ct);
        await ReconcileAsync(command, session, applier, vault, messages, identity, clock, ct);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Loads, observes the cluster, hands what it saw to the service map's decision and appends what that returns.</summary>
    private static async Task ReconcileAsync(ReconcileServiceMap command, IDocumentSession session, IServiceMapApplier applier,
        ICredentialVault vault, IMessageContext messages, IOptions<KubernetesIdentityOptions> identity, TimeProvider clock, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var viewQuery = batch.Load<ServiceMapView>(command.ServiceMapId);
        var aggregateQuery = batch.Events.FetchLatest<ServiceMap>(command.ServiceMapId);
        await batch.Execute(ct);
        var (map, serviceMap) = (await viewQuery, await aggregateQuery);
        if (map is null || serviceMap is null) return;
        var credential = await session.LoadAsync<ClusterCredential>(map.ClusterId, ct);
        if (credential is null) return; // the cluster was unregistered
        var cluster = vault.Unprotect(credential.Protected);
        var shown = new ServiceMapVerdict(map.Status, map.StatusMessage);

        if (serviceMap.Deleting)
        {
            var (state, message) = await applier.DeleteNamespaceAsync(cluster, map.Namespace, ct);
            Append(session, serviceMap.Id, serviceMap.RecordNamespaceDeletion(state.ToOutcome(message), shown, clock.GetUtcNow()));
            if (state == NamespaceDeletion.Terminating) await messages.ScheduleAsync(command, DeletionPoll);
            return;
        }

        var workspace = await session.LoadAsync<WorkspaceView>(map.WorkspaceId, ct);
        if (workspace is null) return;
        var policies = await Policies.EffectivePolicies.ForAsync(session, map, ct);
        var members = await session.LoadManyAsync<Users.UserView>(ct, workspace.MemberIds);
        var inactive = members.Where(u => !u.Active).Select(u => u.Id).ToHashSet();
        var manifest = ServiceMapManifest.For(map, workspace, identity.Value.UserPrefix, policies.Effective, inactive);

        if (command.DriftCheck && map.Status == ServiceMapStatus.Ready)
        {
            var (findings, checkOutcome) = await applier.FindDriftAsync(cluster, manifest, ct);
            if (checkOutcome.Result != ApplyResult.Applied || findings.Count == 0) return;
            var corrected = await applier.CorrectDriftAsync(cluster, manifest, ct);
            Append(session, serviceMap.Id, serviceMap.RecordDriftCorrection(findings, corrected, shown, clock.GetUtcNow()));
            return;
        }

        var outcome = await applier.ApplyAsync(cluster, manifest, ct);
        Append(session, serviceMap.Id, serviceMap.RecordApply(outcome, shown, clock.GetUtcNow()));
        // The namespace is there: its pull secrets, and its default ServiceAccount naming them, follow.
        if (outcome.Result == ApplyResult.Applied && map.Status != ServiceMapStatus.Ready)
            await messages.PublishAsync(new PullSecrets.Reconciling.ReconcilePullSecrets(map.WorkspaceId));
        // The cluster did not answer (or asked to slow down): try again soon, then less often. The periodic pass
        // retries on its own, and the cluster's recovery triggers one as well.
        if (outcome.Result == ApplyResult.Unreachable && !command.DriftCheck)
            await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
    }

    private static void Append(IDocumentSession session, Guid serviceMapId, Decision decision)
    {
        if (decision.Events.Count > 0) session.Events.Append(serviceMapId, decision.Events.ToArray());
    }
}

public static class ReconcileWorkspaceServiceMapsHandler
{
    public static async Task<IEnumerable<ReconcileServiceMap>> Handle(ReconcileWorkspaceServiceMaps command, IQuerySession session, CancellationToken ct) =>
        (await session.Query<ServiceMapView>().Where(s => s.WorkspaceId == command.WorkspaceId).Select(s => s.Id).ToListAsync(ct))
        .Select(id => new ReconcileServiceMap(id));
}

public static class ReconcileClusterServiceMapsHandler
{
    public static async Task<IEnumerable<ReconcileServiceMap>> Handle(ReconcileClusterServiceMaps command, IQuerySession session, CancellationToken ct) =>
        (await session.Query<ServiceMapView>().Where(s => s.ClusterId == command.ClusterId).Select(s => s.Id).ToListAsync(ct))
        .Select(id => new ReconcileServiceMap(id, command.DriftCheck));
}

public static class CheckAllServiceMapsHandler
{
    public static async Task<IEnumerable<ReconcileServiceMap>> Handle(CheckAllServiceMaps _, IQuerySession session, CancellationToken ct) =>
        (await session.Query<ServiceMapView>().Select(s => s.Id).ToListAsync(ct)).Select(id => new ReconcileServiceMap(id, DriftCheck: true));
}
