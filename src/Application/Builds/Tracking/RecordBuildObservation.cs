using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Registries;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;
using Marten;
using Wolverine;

namespace Cocktail.Application.Builds.Tracking;

/// <summary>What the build tracker saw of a running build's Job.</summary>
public sealed record RecordBuildObservation(Guid BuildId, BuildJobObservation Observation);

/// <summary>After a build ended: revoke its push robot, remove its push Secret (and on cancel its Job).</summary>
public sealed record CleanUpBuild(Guid BuildId, bool DeleteJob);

public static class RecordBuildObservationHandler
{
    public static async Task Handle(RecordBuildObservation command, IDocumentSession session, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Build>(command.BuildId, ct);
        if (stream.Aggregate is not { } build) return;
        var decision = build.Observe(command.Observation, clock.GetUtcNow());
        if (decision.Events.Count == 0) return;
        stream.AppendMany(decision.Events.ToArray());
        await BuildEnded.PublishAsync(messages, decision.Events);
        await messages.PublishAsync(new CleanUpBuild(build.Id, DeleteJob: false));
        await messages.PublishAsync(new Dispatching.DispatchBuilds(build.WorkspaceId));
    }
}

public static class CleanUpBuildHandler
{
    public static async Task Handle(CleanUpBuild command, IDocumentSession session, IBuildCluster builds, IRobotAccounts robots, ICredentialVault vault,
        CancellationToken ct)
    {
        var build = await session.Events.FetchLatest<Build>(command.BuildId, ct);
        if (build is null) return;
        if (build.RobotId is { } robot) await robots.RevokeAsync(robot, ActorRef.System, $"build #{build.Number} of {build.DefinitionName} ended ({build.Status})", ct);
        if (build.ClusterId is not { } clusterId || build.JobName is null || build.Namespace is null) return;
        if (await session.LoadAsync<ClusterCredential>(clusterId, ct) is not { } credential) return;
        await builds.CleanUpAsync(vault.Unprotect(credential.Protected), build.Namespace, build.JobName, command.DeleteJob, ct);
    }
}
