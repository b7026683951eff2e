using Cocktail.Application.Common;
using Cocktail.Application.Registries.ExpiringRobots;
using Cocktail.Application.Registries.Robots;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Attributes;

namespace Cocktail.Application.Registries.CreatingRobots;

/// <summary>A workspace admin makes a robot account; its password is in the answer and nowhere else, ever.</summary>
[Writes]
public sealed record CreateRobotAccount(Guid WorkspaceId, string Name, RobotPermission Permission, DateTimeOffset? ValidUntil = null,
    string? Description = null) : IRequest<IssuedRobot>;

/// <summary>Cocktail makes a robot for itself (a pull secret, a build's push), through the same decision and events.</summary>
[MessageIdentity("Cocktail.Application.Registries.IssueRobotAccount")]
public sealed record IssueRobotAccount(Guid WorkspaceId, string Name, RobotPermission Permission, DateTimeOffset ValidUntil, ActorRef By, string Purpose);

public sealed class CreateRobotAccountValidator : AbstractValidator<CreateRobotAccount>
{
    public CreateRobotAccountValidator()
    {
        RuleFor(x => x.WorkspaceId).NotEmpty();
        RuleFor(x => x.Name).NotEmpty().WithMessage("Name the robot, for example after the pipeline that uses it.")
            .MaximumLength(RobotAccount.MaxNameLength).WithMessage($"Robot names have at most {RobotAccount.MaxNameLength} characters.")
            .Must(DnsLabel.IsValid).WithMessage($"Robot names are {DnsLabel.Rule}.");
        RuleFor(x => x.Permission).IsInEnum().WithMessage("The permission is Pull or PushPull.");
        RuleFor(x => x.Description).MaximumLength(RobotAccount.MaxPurposeLength);
    }
}

public static class CreateRobotAccountHandler
{
    public static async Task<Result<IssuedRobot>> Handle(CreateRobotAccount command, Actor actor, IDocumentSession session,
        IMessageContext messages, IOptions<RegistryOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanManage, ct);
        if (workspace.Failure is { } failure) return failure;
        var now = clock.GetUtcNow();
        return await RobotIssuer.IssueAsync(session, messages, workspace.Value!, command.Name, command.Permission,
            command.ValidUntil ?? now + options.Value.RobotMaxValidity, command.Description, actor.Ref, options.Value, now);
    }
}

public static class IssueRobotAccountHandler
{
    public static async Task<Result<IssuedRobot>> Handle(IssueRobotAccount command, IDocumentSession session, IMessageContext messages,
        IOptions<RegistryOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await session.LoadAsync<WorkspaceView>(command.WorkspaceId, ct);
        if (workspace is null) return Failure.NotFound(TenancyAccess.NoSuchWorkspace);
        return await RobotIssuer.IssueAsync(session, messages, workspace, command.Name, command.Permission, command.ValidUntil,
            command.Purpose, command.By, options.Value, clock.GetUtcNow());
    }
}

internal static class RobotIssuer
{
    public static async Task<Result<IssuedRobot>> IssueAsync(IDocumentSession session, IMessageContext messages, WorkspaceView workspace,
        string name, RobotPermission permission, DateTimeOffset validUntil, string? purpose, ActorRef by, RegistryOptions options, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7();
        var decision = RobotAccount.Create(id, workspace.Id, workspace.Name, name.Trim(), permission, validUntil, options.RobotMaxValidity,
            purpose, by, now);
        if (decision.Error is { } error) return error;
        var created = (RobotAccountCreated)decision.Events[0];
        // A user name names one robot: two live robots answering to one name would read as one in registry logs, docker
        // configs and the audit trail ("replaced by" itself). An ended robot's name may be used again.
        var userName = created.UserName;
        if (await session.Query<RobotAccountView>().AnyAsync(r => r.WorkspaceId == workspace.Id && r.UserName == userName && r.RevokedAt == null
                && r.ExpiredAt == null && r.ValidUntil > now))
            return DomainError.Conflict($"The workspace already has a robot named {name.Trim()}; revoke it or choose another name.", "name");
        var secret = RobotSecrets.NewSecret();
        session.Events.StartStream<RobotAccount>(id, decision.Events.ToArray());
        session.Store(new RobotSecret { Id = RobotSecrets.Hash(secret), RobotId = id });
        // The token server refuses it from validUntil on whatever happens; this records the end on time.
        await messages.ScheduleAsync(new ExpireRobotAccount(id), validUntil);
        return new IssuedRobot(id, workspace.Id, created.UserName, secret, validUntil);
    }
}
