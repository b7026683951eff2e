using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.PullSecrets;

/// <summary>
/// A workspace's external registries and pull secrets: its members (and platform admins and auditors) read them,
/// its admins and platform admins change them. Someone who may not read one is told it does not exist.
/// </summary>
public static class PullSecretsAccess
{
    public static Task<Result<WorkspaceView>> WorkspaceAsync(IQuerySession session, Actor actor, Guid workspaceId, bool manage, CancellationToken ct) =>
        TenancyAccess.LoadAsync(session, actor, workspaceId, manage ? TenancyAccess.CanManage : null, ct);

    public static async Task<Result<ExternalRegistryView>> RegistryAsync(IQuerySession session, Actor actor, Guid registryId, bool manage, CancellationToken ct)
    {
        var registry = await session.LoadAsync<ExternalRegistryView>(registryId, ct);
        if (registry is null || registry.Removed) return Failure.NotFound(Domain.Registries.ExternalRegistry.NoSuchRegistry);
        var workspace = await TenancyAccess.LoadAsync(session, actor, registry.WorkspaceId, null, ct);
        if (!workspace.Succeeded) return Failure.NotFound(Domain.Registries.ExternalRegistry.NoSuchRegistry);
        if (manage && !TenancyAccess.CanManage(actor, workspace.Value!)) return Failure.Forbidden("Your role in this workspace does not allow this.");
        return registry;
    }
}
