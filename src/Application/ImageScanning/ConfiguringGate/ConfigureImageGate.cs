using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Reconciling;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Users;
using Marten;
using Wolverine;

namespace Cocktail.Application.ImageScanning.ConfiguringGate;

/// <summary>
/// The URL at which the cluster's API servers reach Cocktail's admission endpoint (https; the endpoint's path is
/// appended). The reconciler then registers the webhook configuration on the cluster.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ConfigureImageGate(Guid ClusterId, string? WebhookUrl) : IRequest<Accepted>;

/// <summary>The cluster stops asking Cocktail: its webhook configuration is removed.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ClearImageGate(Guid ClusterId) : IRequest<Accepted>;

public static class ConfigureImageGateHandler
{
    public static async Task<Result<Accepted>> Handle(ConfigureImageGate command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct) =>
        await ImageGateStreams.DecideAsync(session, messages, command.ClusterId,
            (gate, cluster) => gate.Configure(cluster.Name, command.WebhookUrl, actor.Ref, clock.GetUtcNow()), ct);
}

public static class ClearImageGateHandler
{
    public static async Task<Result<Accepted>> Handle(ClearImageGate command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct) =>
        await ImageGateStreams.DecideAsync(session, messages, command.ClusterId, (gate, _) => gate.Clear(actor.Ref, clock.GetUtcNow()), ct);
}

internal static class ImageGateStreams
{
    public static async Task<Result<Accepted>> DecideAsync(IDocumentSession session, IMessageContext messages, Guid clusterId,
        Func<ClusterImageGate, ClusterView, Domain.Common.Decision> decide, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(clusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var stream = await session.Events.FetchForWriting<ClusterImageGate>(ClusterImageGate.StreamIdFor(clusterId), ct);
        var decision = decide(stream.Aggregate ?? ClusterImageGate.Empty(clusterId, cluster.Name), cluster);
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        if (decision.Events.Count > 0) await messages.PublishAsync(new ReconcileImageGate(clusterId));
        return new Accepted(clusterId, (stream.StartingVersion ?? 0) + decision.Events.Count);
    }
}
