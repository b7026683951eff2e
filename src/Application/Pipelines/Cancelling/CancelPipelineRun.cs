using Cocktail.Application.Common;
using Cocktail.Application.Pipelines.Running;
using Cocktail.Application.Pipelines.Runs;
using Cocktail.Application.Workspaces;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Pipelines.Cancelling;

/// <summary>Cancels a queued or running run; its running builds are cancelled after the event is stored.</summary>
public sealed record CancelPipelineRun(Guid RunId, string? Reason = null) : IRequest<Accepted>;

public sealed class CancelPipelineRunValidator : AbstractValidator<CancelPipelineRun>
{
    public CancelPipelineRunValidator() => RuleFor(x => x.Reason).MaximumLength(1000);
}

public static class CancelPipelineRunHandler
{
    public static async Task<Result<Accepted>> Handle(CancelPipelineRun command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var found = await PipelineRunAccess.RunAsync(session, actor, command.RunId, TenancyAccess.CanDeploy, ct);
        if (found.Failure is { } denied) return denied;
        var reason = string.IsNullOrWhiteSpace(command.Reason) ? null : command.Reason.Trim();
        return await PipelineRunDecisions.DecideAsync(session, command.RunId, r => r.Cancel(reason, actor.Ref, clock.GetUtcNow()), messages, ct);
    }
}
