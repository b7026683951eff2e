using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Provisioning.EnablingClusterApi;

/// <summary>
/// Makes a registered cluster a Cluster API management cluster, with the infrastructures found installed on it. Asked
/// again, it discovers again (a provider installed since is then offered).
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record EnableClusterApi(Guid ClusterId) : IRequest<Accepted>;

/// <summary>Stops offering the cluster for new clusters; the clusters created through it stay as they are.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record DisableClusterApi(Guid ClusterId, string? Reason = null) : IRequest<Accepted>;

public sealed class DisableClusterApiValidator : AbstractValidator<DisableClusterApi>
{
    public DisableClusterApiValidator() => RuleFor(x => x.Reason).MaximumLength(500);
}

public static class EnableClusterApiHandler
{
    public static async Task<Result<Accepted>> Handle(EnableClusterApi command, Actor actor, IDocumentSession session,
        IClusterApiGateway gateway, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var (discovery, failure) = await gateway.DiscoverAsync(cluster.Id, ct);
        if (failure is not null || discovery is null) return ClusterRequests.Unreachable(cluster.Name, failure);
        return await AggregateStreams.DecideAsync<Cluster>(session, cluster.Id, null,
            c => c.EnableClusterApi(discovery.Infrastructures, discovery.ClusterClassesServed, actor.Ref, clock.GetUtcNow()),
            "No such cluster.", ct);
    }
}

public static class DisableClusterApiHandler
{
    public static Task<Result<Accepted>> Handle(DisableClusterApi command, Actor actor, IDocumentSession session, TimeProvider clock,
        CancellationToken ct) =>
        AggregateStreams.DecideAsync<Cluster>(session, command.ClusterId, null,
            c => c.DisableClusterApi(actor.Ref, clock.GetUtcNow(), command.Reason), "No such cluster.", ct);
}
