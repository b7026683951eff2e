using Cocktail.Application.Common;
using Cocktail.Application.Users;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Workspaces.Creating;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record CreateWorkspace(string Name, string? Description = null, string? Color = null, Guid? AdminUserId = null) : IRequest<Accepted>;

public sealed class CreateWorkspaceValidator : AbstractValidator<CreateWorkspace>
{
    public CreateWorkspaceValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Name the workspace.").Must(DnsLabel.IsValid).WithMessage($"Workspace names use {DnsLabel.Rule}.");
        RuleFor(x => x.Description).MaximumLength(500);
        RuleFor(x => x.Color).Matches("^#[0-9a-fA-F]{6}$").When(x => x.Color is not null).WithMessage("Colors are #rrggbb.");
    }
}

public static class CreateWorkspaceHandler
{
    public static async Task<Result<Accepted>> Handle(CreateWorkspace command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (await session.Query<WorkspaceView>().AnyAsync(w => w.Name == command.Name, ct))
            return new Failure(FailureKind.Conflict, $"A workspace named '{command.Name}' exists already.",
                new Dictionary<string, string[]> { ["name"] = [$"A workspace named '{command.Name}' exists already."] });

        var id = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        var decision = Workspace.Create(id, command.Name, command.Description, command.Color, actor.Ref, now);
        if (decision.Error is { } error) return error;
        var events = decision.Events.ToList();

        // The first workspace admin may be named at once, so that the team can take over.
        if (command.AdminUserId is { } adminId)
        {
            var admin = await session.LoadAsync<UserView>(adminId, ct);
            if (admin is not { Active: true }) return Failure.Invalid("No such active user.", "adminUserId");
            var workspace = Workspace.Create((WorkspaceCreated)events[0]);
            events.AddRange(workspace.SetMember(admin.Id, admin.UserName, WorkspaceRole.WorkspaceAdmin, actor.Ref, now).Events);
        }
        session.Events.StartStream<Workspace>(id, events.ToArray());
        return new Accepted(id, events.Count);
    }
}
