using Cocktail.Application.AccessGrants.RevokingUserAccess;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Users;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Workspaces.ManagingMembers;

/// <summary>Adds a member, or changes the role of one already there (by user id or user name).</summary>
public sealed record SetWorkspaceMember(Guid WorkspaceId, Guid? UserId, string? UserName, WorkspaceRole Role) : IRequest<Accepted>;

public sealed record RemoveWorkspaceMember(Guid WorkspaceId, Guid UserId, string? Reason = null) : IRequest<Accepted>;

public sealed class RemoveWorkspaceMemberValidator : AbstractValidator<RemoveWorkspaceMember>
{
    public RemoveWorkspaceMemberValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public sealed class SetWorkspaceMemberValidator : AbstractValidator<SetWorkspaceMember>
{
    public SetWorkspaceMemberValidator()
    {
        RuleFor(x => x.UserId).NotNull().When(x => string.IsNullOrWhiteSpace(x.UserName)).WithMessage("Name the user (userId or userName).");
        RuleFor(x => x.UserName).MaximumLength(63);
        RuleFor(x => x.Role).IsInEnum().WithMessage("Role is one of WorkspaceAdmin, Developer, Viewer.");
    }
}

public static class SetWorkspaceMemberHandler
{
    public static async Task<Result<Accepted>> Handle(SetWorkspaceMember command, Actor actor, IDocumentSession session,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanManage, ct);
        if (workspace.Failure is { } failure) return failure;
        var user = command.UserId is { } id
            ? await session.LoadAsync<UserView>(id, ct)
            : await session.Query<UserView>().FirstOrDefaultAsync(u => u.UserName == command.UserName!.Trim(), ct);
        if (user is not { Active: true }) return Failure.Invalid("No such active user.", command.UserId is null ? "userName" : "userId");

        var result = await AggregateStreams.DecideAsync<Workspace>(session, command.WorkspaceId, null,
            w => w.SetMember(user.Id, user.UserName, command.Role, actor.Ref, clock.GetUtcNow()), TenancyAccess.NoSuchWorkspace, ct);
        if (result.Succeeded) await messages.PublishAsync(new ReconcileWorkspaceServiceMaps(command.WorkspaceId));
        return result;
    }
}

public static class RemoveWorkspaceMemberHandler
{
    public static async Task<Result<Accepted>> Handle(RemoveWorkspaceMember command, Actor actor, IDocumentSession session,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanManage, ct);
        if (workspace.Failure is { } failure) return failure;
        var result = await AggregateStreams.DecideAsync<Workspace>(session, command.WorkspaceId, null,
            w => w.RemoveMember(command.UserId, command.Reason, actor.Ref, clock.GetUtcNow()), TenancyAccess.NoSuchWorkspace, ct);
        if (!result.Succeeded) return result;
        // The RoleBindings lose the member on the next apply; grants into the workspace's service maps end with the membership.
        await messages.PublishAsync(new ReconcileWorkspaceServiceMaps(command.WorkspaceId));
        await messages.PublishAsync(new RevokeMembershipAccess(command.WorkspaceId, workspace.Value!.Name, command.UserId, actor.Ref, clock.GetUtcNow()));
        return result;
    }
}
