using Cocktail.Application.Common;
using Cocktail.Application.PullSecrets.Reconciling;
using Cocktail.Application.Registries;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.PullSecrets.Reading;

/// <summary>The workspace's pull secrets: which robot the registry's carries, until when, and what each namespace holds.</summary>
public sealed record GetPullSecrets(Guid WorkspaceId) : IRequest<PullSecretsOverview>;

/// <param name="Registry">The workspace registry's address, null when no registry is configured.</param>
/// <param name="RobotUserName">The pull robot the secrets carry now (its password is never shown).</param>
public sealed record PullSecretsOverview(
    string? Registry, string? RobotUserName, DateTimeOffset? RobotValidUntil, string ServiceAccount, IReadOnlyList<PullSecretStatus> ServiceMaps);

public static class GetPullSecretsHandler
{
    public static async Task<Result<PullSecretsOverview>> Handle(GetPullSecrets query, Actor actor, IQuerySession session, IOptions<RegistryOptions> registry,
        CancellationToken ct)
    {
        var workspace = await PullSecretsAccess.WorkspaceAsync(session, actor, query.WorkspaceId, manage: false, ct);
        if (workspace.Failure is { } refused) return refused;
        var robot = (await session.Query<WorkspacePullRobot>().Where(r => r.WorkspaceId == query.WorkspaceId && r.RevokedAt == null).ToListAsync(ct))
            .MaxBy(r => r.IssuedAt);
        var maps = await session.Query<PullSecretStatus>().Where(s => s.WorkspaceId == query.WorkspaceId).OrderBy(s => s.ServiceMapName).ToListAsync(ct);
        return new PullSecretsOverview(registry.Value.Configured ? registry.Value.Address : null, robot?.UserName, robot?.ValidUntil, "default", maps);
    }
}
