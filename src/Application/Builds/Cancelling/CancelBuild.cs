using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Builds;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Builds.Cancelling;

/// <summary>Cancels a queued or running build; its Job is deleted and its push robot revoked after the event is stored.</summary>
public sealed record CancelBuild(Guid BuildId, string? Reason) : IRequest<Accepted>;

public sealed class CancelBuildValidator : AbstractValidator<CancelBuild>
{
    public CancelBuildValidator() => RuleFor(x => x.Reason).MaximumLength(1000);
}

public static class CancelBuildHandler
{
    public static async Task<Result<Accepted>> Handle(CancelBuild command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var build = await BuildAccess.BuildAsync(session, actor, command.BuildId, TenancyAccess.CanDeploy, ct);
        if (build.Failure is { } denied) return denied;
        IReadOnlyList<object> cancelled = [];
        var result = await AggregateStreams.DecideAsync<Build>(session, command.BuildId, null, b =>
        {
            var decision = b.Cancel(command.Reason, actor.Ref, clock.GetUtcNow());
            cancelled = decision.Events;
            return decision;
        }, BuildAccess.NoSuchBuild, ct);
        if (!result.Succeeded) return result;
        await BuildEnded.PublishAsync(messages, cancelled);
        await messages.PublishAsync(new Tracking.CleanUpBuild(command.BuildId, DeleteJob: true));
        await messages.PublishAsync(new Dispatching.DispatchBuilds(build.Value!.WorkspaceId));
        return result;
    }
}
