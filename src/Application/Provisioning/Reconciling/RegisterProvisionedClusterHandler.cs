using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.Registering;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;
using Marten;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace Cocktail.Application.Provisioning.Reconciling;

/// <summary>What Cocktail connects to a cluster it provisioned with, instead of the admin credential Cluster API wrote.</summary>
/// <param name="Connection">The service account's token, or the kubeconfig's own credential when the cluster refused the first.</param>
/// <param name="FellBack">Why the kubeconfig's own credential is used (for the log; carries no secret), or null.</param>
public sealed record ProvisionedClusterAccess(ClusterConnection? Connection, string? FellBack, string? Problem);

/// <summary>
/// Creates, in a cluster Cocktail provisioned, the <c>kube-system/cocktail</c> ServiceAccount bound to
/// <c>cluster-admin</c> and requests a token for it (TokenRequest), with the admin kubeconfig Cluster API wrote.
/// Implemented over KubernetesClient in Infrastructure.
/// </summary>
public interface IProvisionedClusterAccess
{
    Task<ProvisionedClusterAccess> EstablishAsync(string adminKubeconfig, CancellationToken ct);
}

public static class RegisterProvisionedClusterHandler
{
    public const string ProvisionedByLabel = "cocktail.io/provisioned-by";
    public const string ManagementClusterLabel = "cocktail.io/management-cluster";

    public static async Task Handle(RegisterProvisionedCluster command, IDocumentSession session, IClusterApiGateway gateway,
        IProvisionedClusterAccess access, IClusterGateway clusters, ICredentialVault vault, IMessageContext messages, TimeProvider clock,
        IExclusiveTurns turns, ILogger<RegisterProvisionedCluster> logger, CancellationToken ct)
    {
        // Under the cluster's turn and idempotent: the watch, the observation and the periodic pass may all ask.
        await using var turn = await turns.TakeAsync(ProvisioningTurns.Kind, command.ProvisionId, ct);
        var cluster = await session.Events.FetchLatest<ProvisionedCluster>(command.ProvisionId, ct);
        if (cluster is null || cluster.RegisteredClusterId is not null || cluster.Status is ProvisioningStatus.Deleting or ProvisioningStatus.Deleted) return;
        var kubeconfig = await gateway.ReadKubeconfigAsync(cluster.ManagementClusterId, cluster.Blueprint.Namespace, cluster.Name, ct);
        if (kubeconfig is null) return; // not written yet: its appearance on the watch asks again

        // The admin credential is used for this and nothing else: never stored, never logged.
        var established = await access.EstablishAsync(kubeconfig, ct);
        if (established.Connection is null)
        {
            logger.LogInformation("Cluster {Name} cannot be registered yet: {Problem}", cluster.Name, established.Problem);
            await RetryAsync(command, messages);
            return;
        }
        if (established.FellBack is not null)
            logger.LogInformation("Cluster {Name} is registered with the credential of its kubeconfig, not a service account token: {Reason}",
                cluster.Name, established.FellBack);

        var management = await session.LoadAsync<ClusterView>(cluster.ManagementClusterId, ct);
        var info = InfrastructureCatalog.Get(cluster.Blueprint.Infrastructure);
        var labels = new Dictionary<string, string> { [ProvisionedByLabel] = "cluster-api" };
        if (management is not null) labels[ManagementClusterLabel] = management.Name;
        var region = cluster.Blueprint.Settings.GetValueOrDefault("region") ?? cluster.Blueprint.Settings.GetValueOrDefault("location");
        var registered = await ClusterRegistration.RegisterAsync(new ClusterRegistration.Request(cluster.Name, info.RegistersAs, region, labels),
            established.Connection, ActorRef.System, session, clusters, vault, messages, clock, ct);
        if (registered.Failure is { } failure)
        {
            logger.LogWarning("Cluster {Name} could not be registered: {Problem}", cluster.Name, failure.Message);
            if (failure.Kind != FailureKind.Conflict) await RetryAsync(command, messages);
            return;
        }
        var decision = cluster.RecordRegistration(registered.Value!.Id, clock.GetUtcNow());
        if (decision.Events.Count > 0) session.Events.Append(cluster.Id, decision.Events.ToArray());
        await session.SaveChangesAsync(ct);
    }

    private static async Task RetryAsync(RegisterProvisionedCluster command, IMessageContext messages)
    {
        if (command.Attempt + 1 >= ProvisioningTurns.MaxRegistrationAttempts) return; // the periodic pass tries again later
        await messages.ScheduleAsync(command with { Attempt = command.Attempt + 1 }, ReconcilingOptions.RetryUnreachableAfter(command.Attempt));
    }
}

public static class UnregisterDeletedClusterHandler
{
    public static async Task Handle(UnregisterDeletedCluster command, IDocumentSession session, IMessageContext messages, TimeProvider clock,
        CancellationToken ct)
    {
        var provisioned = await session.Events.FetchLatest<ProvisionedCluster>(command.ProvisionId, ct);
        if (provisioned?.RegisteredClusterId is not { } clusterId) return;
        var management = await session.LoadAsync<ClusterView>(provisioned.ManagementClusterId, ct);
        var reason = $"Deleted through Cluster API on '{management?.Name ?? provisioned.ManagementClusterId.ToString()}'";
        var result = await AggregateStreams.DecideAsync<Cluster>(session, clusterId, null,
            registered => registered.Unregister(reason, ActorRef.System, clock.GetUtcNow()), "No such cluster.", ct);
        if (!result.Succeeded) return;
        session.Delete<ClusterCredential>(clusterId);
        await messages.PublishAsync(new ClusterConnectionChanged(clusterId));
    }
}
