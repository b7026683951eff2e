using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Policies.SettingWorkspacePolicy;

/// <summary>Platform admins set a workspace's security policy; every service map there is reconciled with it.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record SetWorkspacePolicy(Guid WorkspaceId, SecurityPolicy? Policy) : IRequest<Accepted>;

public sealed class SetWorkspacePolicyValidator : AbstractValidator<SetWorkspacePolicy>
{
    public SetWorkspacePolicyValidator() => PolicyRules.Add(this, x => x.Policy);
}

public static class SetWorkspacePolicyHandler
{
    public static async Task<Result<Accepted>> Handle(SetWorkspacePolicy command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        if (await session.LoadAsync<WorkspaceView>(command.WorkspaceId, ct) is null) return Failure.NotFound(TenancyAccess.NoSuchWorkspace);
        var result = await PolicyStreams.ChangeAsync(session, command.WorkspaceId, PolicyScope.Workspace, command.Policy!, actor, clock, ct);
        if (result.Succeeded)
        {
            await messages.PublishAsync(new ReconcileWorkspaceServiceMaps(command.WorkspaceId));
            await messages.PublishAsync(new ImageGateInputsChanged($"workspace {command.WorkspaceId} policy"));
        }
        return result;
    }
}
