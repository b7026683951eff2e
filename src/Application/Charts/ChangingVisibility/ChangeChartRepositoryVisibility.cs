using Cocktail.Application.Charts.AddingRepository;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Charts.ChangingVisibility;

/// <summary>Chooses which workspaces see a repository's charts (platform admins): all, or the ones listed.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ChangeChartRepositoryVisibility(Guid RepositoryId, bool AllWorkspaces, IReadOnlyList<Guid>? WorkspaceIds, string? Reason = null,
    long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class ChangeChartRepositoryVisibilityValidator : AbstractValidator<ChangeChartRepositoryVisibility>
{
    public ChangeChartRepositoryVisibilityValidator()
    {
        RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
        RuleFor(x => x).Custom((x, context) =>
        {
            if (ChartRepositoryRules.CheckVisibility(ChartRepositoryInput.Visibility(x.AllWorkspaces, x.WorkspaceIds)) is { } refused)
                context.AddFailure("workspaceIds", refused);
        });
    }
}

public static class ChangeChartRepositoryVisibilityHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeChartRepositoryVisibility command, Actor actor, IDocumentSession session, TimeProvider clock,
        CancellationToken ct)
    {
        var visibility = ChartRepositoryInput.Visibility(command.AllWorkspaces, command.WorkspaceIds);
        if (await ChartRepositoryInput.UnknownWorkspaceAsync(session, visibility, ct) is { } unknown) return unknown;
        return await AggregateStreams.DecideAsync<ChartRepository>(session, command.RepositoryId, command.ExpectedVersion,
            r => r.ChangeVisibility(visibility, actor.Ref, command.Reason, clock.GetUtcNow()), ChartRepository.NoSuchRepository, ct);
    }
}
