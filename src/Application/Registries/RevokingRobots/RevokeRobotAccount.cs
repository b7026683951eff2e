using Cocktail.Application.Common;
using Cocktail.Application.Registries.Robots;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using FluentValidation;
using Marten;
using Wolverine.Attributes;

namespace Cocktail.Application.Registries.RevokingRobots;

/// <summary>Ends a robot account now: the token server refuses it from the next request on.</summary>
public sealed record RevokeRobotAccount(Guid RobotId, string? Reason = null) : IRequest<Accepted>;

/// <summary>Cocktail revokes a robot it made (a rotated pull secret's, a finished build's).</summary>
[MessageIdentity("Cocktail.Application.Registries.WithdrawRobotAccount")]
public sealed record WithdrawRobotAccount(Guid RobotId, ActorRef By, string Reason);

public sealed class RevokeRobotAccountValidator : AbstractValidator<RevokeRobotAccount>
{
    public RevokeRobotAccountValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class RevokeRobotAccountHandler
{
    public const string NoSuchRobot = "No such robot account.";

    /// <summary>Workspace admins and platform admins revoke; members who may not manage are refused, strangers told it does not exist.</summary>
    public static async Task<Result<Accepted>> Handle(RevokeRobotAccount command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var robot = await session.LoadAsync<RobotAccountView>(command.RobotId, ct);
        if (robot is null) return Failure.NotFound(NoSuchRobot);
        var workspace = await session.LoadAsync<WorkspaceView>(robot.WorkspaceId, ct);
        if (workspace is null || !TenancyAccess.CanRead(actor, workspace)) return Failure.NotFound(NoSuchRobot);
        if (!TenancyAccess.CanManage(actor, workspace)) return Failure.Forbidden("Only the workspace's admins and platform admins revoke robot accounts.");
        var reason = string.IsNullOrWhiteSpace(command.Reason) ? "revoked" : command.Reason.Trim();
        return await AggregateStreams.DecideAsync<RobotAccount>(session, command.RobotId, null,
            r => r.Revoke(reason, actor.Ref, clock.GetUtcNow()), NoSuchRobot, ct);
    }
}

public static class WithdrawRobotAccountHandler
{
    public static Task<Result<Accepted>> Handle(WithdrawRobotAccount command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        AggregateStreams.DecideAsync<RobotAccount>(session, command.RobotId, null,
            r => r.Revoke(command.Reason, command.By, clock.GetUtcNow()), RevokeRobotAccountHandler.NoSuchRobot, ct);
}
