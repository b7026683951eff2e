using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Workspaces.ChangingDetails;

public sealed record ChangeWorkspaceDetails(Guid WorkspaceId, string? Name, string? Description, string? Color, long? ExpectedVersion = null)
    : IRequest<Accepted>;

public sealed class ChangeWorkspaceDetailsValidator : AbstractValidator<ChangeWorkspaceDetails>
{
    public ChangeWorkspaceDetailsValidator()
    {
        RuleFor(x => x.Name).Must(n => n is null || DnsLabel.IsValid(n)).WithMessage($"Workspace names use {DnsLabel.Rule}.");
        RuleFor(x => x.Description).MaximumLength(500);
        RuleFor(x => x.Color).Matches("^#[0-9a-fA-F]{6}$").When(x => x.Color is not null).WithMessage("Colors are #rrggbb.");
    }
}

public static class ChangeWorkspaceDetailsHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeWorkspaceDetails command, Actor actor, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, command.WorkspaceId, TenancyAccess.CanManage, ct);
        if (workspace.Failure is { } failure) return failure;
        var current = workspace.Value!;
        if (command.Name is { } name && name != current.Name && await session.Query<WorkspaceView>().AnyAsync(w => w.Name == name, ct))
            return Failure.Conflict($"A workspace named '{name}' exists already.");
        return await AggregateStreams.DecideAsync<Workspace>(session, command.WorkspaceId, command.ExpectedVersion,
            w => w.ChangeDetails(command.Name ?? current.Name, command.Description ?? current.Description, command.Color ?? current.Color,
                actor.Ref, clock.GetUtcNow()), TenancyAccess.NoSuchWorkspace, ct);
    }
}
