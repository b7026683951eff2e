using Cocktail.Application.Charts.Refreshing;
using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Charts.AddingRepository;

/// <summary>
/// Adds a chart repository (platform admins). Its index is read first: a URL that does not answer, answers 404 or
/// serves something that is not an index is refused on the <c>url</c> field and nothing is recorded. Visibility:
/// <see cref="AllWorkspaces"/>, or the <see cref="WorkspaceIds"/> listed.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record AddChartRepository(
    string? Name, string? Kind, string? Url, IReadOnlyList<string>? Charts, bool AllWorkspaces, IReadOnlyList<Guid>? WorkspaceIds, string? Reason = null)
    : IRequest<Accepted>;

public sealed class AddChartRepositoryValidator : AbstractValidator<AddChartRepository>
{
    public AddChartRepositoryValidator()
    {
        RuleFor(x => x.Name).Must(ChartRepositoryRules.IsValidName).WithMessage("The name is " + ChartRepositoryRules.NameRule + ".");
        RuleFor(x => x.Kind).Must(k => ChartRepositoryInput.Kind(k) is not null).WithMessage(ChartRepositoryInput.KindRule);
        RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
        RuleFor(x => x).Custom((x, context) =>
        {
            if (ChartRepositoryInput.Kind(x.Kind) is not { } kind) return;
            if (ChartRepositoryRules.CheckUrl(kind, x.Url) is { } url) context.AddFailure("url", url);
            if (ChartRepositoryRules.CheckCharts(kind, x.Charts) is { } charts) context.AddFailure("charts", charts);
            if (ChartRepositoryRules.CheckVisibility(ChartRepositoryInput.Visibility(x.AllWorkspaces, x.WorkspaceIds)) is { } visibility)
                context.AddFailure("workspaceIds", visibility);
        });
    }
}

public static class AddChartRepositoryHandler
{
    public static async Task<Result<Accepted>> Handle(AddChartRepository command, Actor actor, IDocumentSession session, IChartIndexes indexes,
        TimeProvider clock, CancellationToken ct)
    {
        var name = command.Name!;
        if (await session.Query<ChartRepositoryView>().AnyAsync(r => r.Name == name && !r.Removed, ct))
            return new Failure(FailureKind.Conflict, $"A chart repository named '{name}' exists already.",
                new Dictionary<string, string[]> { ["name"] = [$"A chart repository named '{name}' exists already."] });
        var visibility = ChartRepositoryInput.Visibility(command.AllWorkspaces, command.WorkspaceIds);
        if (await ChartRepositoryInput.UnknownWorkspaceAsync(session, visibility, ct) is { } unknown) return unknown;

        var kind = ChartRepositoryInput.Kind(command.Kind)!.Value;
        var id = Guid.CreateVersion7();
        var decision = ChartRepository.Add(id, name, kind, command.Url, command.Charts, visibility, actor.Ref, command.Reason, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        var added = (ChartRepositoryAdded)decision.Events[0];

        var index = await indexes.GetAsync(added.Url, kind, added.Charts, ct);
        if (!index.Succeeded)
        {
            var message = index.Failure!.Kind == FailureKind.Unavailable || index.Failure.Message.Contains("did not answer", StringComparison.Ordinal)
                ? index.Failure.Message : $"The repository's index could not be read: {index.Failure.Message}";
            return Failure.Invalid(message, "url");
        }
        session.Events.StartStream<ChartRepository>(id, decision.Events.ToArray());
        await ChartIndexStore.StoreAsync(session, id, name, index.Value!, clock.GetUtcNow(), ct);
        return new Accepted(id, decision.Events.Count);
    }
}

public static class ChartRepositoryInput
{
    public static readonly string KindRule = "The kind is Http (an index.yaml over HTTP(S)) or Oci (an OCI registry).";

    public static ChartRepositoryKind? Kind(string? kind) =>
        Enum.TryParse<ChartRepositoryKind>(kind, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(kind, out _) ? parsed : null;

    public static ChartVisibility Visibility(bool all, IReadOnlyList<Guid>? workspaceIds) =>
        all && (workspaceIds is null || workspaceIds.Count == 0) ? ChartVisibility.Everyone
            : all ? new ChartVisibility(true, workspaceIds!) : ChartVisibility.Only(workspaceIds ?? []);

    /// <summary>Every listed workspace must exist (a typo would hide the repository from the team it was meant for).</summary>
    public static async Task<Failure?> UnknownWorkspaceAsync(IQuerySession session, ChartVisibility visibility, CancellationToken ct)
    {
        if (visibility.AllWorkspaces || visibility.WorkspaceIds.Count == 0) return null;
        var ids = visibility.WorkspaceIds.ToArray();
        var known = await session.Query<WorkspaceView>().Where(w => ids.Contains(w.Id)).Select(w => w.Id).ToListAsync(ct);
        var missing = ids.Except(known).ToList();
        return missing.Count == 0 ? null
            : Failure.Invalid($"No such workspace: {string.Join(", ", missing)}.", "workspaceIds");
    }
}
