using Cocktail.Application.Common;
using Cocktail.Application.Pipelines.Running;
using Cocktail.Application.Pipelines.Runs;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Pipelines.Approving;

/// <summary>Lets a stage that waits for an approval start.</summary>
public sealed record ApprovePipelineStage(Guid RunId, string Stage, string? Comment = null) : IRequest<Accepted>;

/// <summary>Refuses a stage that waits for an approval: the run fails there, with the reason.</summary>
public sealed record RejectPipelineStage(Guid RunId, string Stage, string? Reason) : IRequest<Accepted>;

public sealed class ApprovePipelineStageValidator : AbstractValidator<ApprovePipelineStage>
{
    public ApprovePipelineStageValidator()
    {
        RuleFor(x => x.Stage).NotEmpty().MaximumLength(63);
        RuleFor(x => x.Comment).MaximumLength(1000);
    }
}

public sealed class RejectPipelineStageValidator : AbstractValidator<RejectPipelineStage>
{
    public RejectPipelineStageValidator()
    {
        RuleFor(x => x.Stage).NotEmpty().MaximumLength(63);
        RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the promotion is rejected.").MaximumLength(1000);
    }
}

public static class ApprovePipelineStageHandler
{
    public static Task<Result<Accepted>> Handle(ApprovePipelineStage command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct) =>
        Approvals.DecideAsync(session, actor, command.RunId, command.Stage, r => r.Approve(command.Stage, actor.Ref, command.Comment, clock.GetUtcNow()),
            messages, ct);
}

public static class RejectPipelineStageHandler
{
    public static Task<Result<Accepted>> Handle(RejectPipelineStage command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct) =>
        Approvals.DecideAsync(session, actor, command.RunId, command.Stage, r => r.Reject(command.Stage, actor.Ref, command.Reason, clock.GetUtcNow()),
            messages, ct);
}

/// <summary>Who may approve a stage: a member with its role or a higher one (a workspace admin approves for developers), or a platform admin.</summary>
public static class Approvals
{
    public static bool MayApprove(Actor actor, WorkspaceView workspace, WorkspaceRole role) =>
        actor.IsPlatformAdmin || workspace.RoleOf(actor.UserId) is { } held && held <= role && held != WorkspaceRole.Viewer;

    public static async Task<Result<Accepted>> DecideAsync(IDocumentSession session, Actor actor, Guid runId, string stage, Func<PipelineRun, Decision> decide,
        IMessageContext messages, CancellationToken ct)
    {
        var found = await PipelineRunAccess.RunAsync(session, actor, runId, null, ct);
        if (found.Failure is { } denied) return denied;
        var (run, workspace) = found.Value;
        if (run.Definition.Stage(stage) is not { } definition) return Failure.NotFound($"Run #{run.Number} has no stage '{stage}'.");
        if (definition.ApprovalBy is not { } role) return Failure.Conflict($"Stage '{stage}' does not wait for an approval.");
        if (!MayApprove(actor, workspace, role))
            return Failure.Forbidden($"Approving stage {stage} needs the {role} role in workspace {workspace.Name}.");
        return await PipelineRunDecisions.DecideAsync(session, runId, decide, messages, ct);
    }
}
