using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.KubernetesAudit.Ingesting;
using Cocktail.Application.Pipelines.Running;
using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Wolverine;

namespace Cocktail.Application.Pipelines.Triggering;

/// <summary>
/// A git provider's push webhook for one pipeline. Anonymous: the delivery proves itself with the pipeline's webhook
/// secret, as the provider signs (checked before the body is parsed). An unknown or deleted pipeline, or a provider that
/// is not the pipeline's, is "no such hook" whichever it is. <see cref="Headers"/> holds only the provider headers
/// Cocktail reads (GitLab's carries the secret itself, so it is never printed).
/// </summary>
[Anonymous]
[Writes]
public sealed record ReceivePipelineHook(Guid PipelineId, string Provider, [property: Secret] IReadOnlyDictionary<string, string> Headers, IAuditBatchBody Body)
    : IRequest<PipelineHookReceipt>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);

    /// <summary>The headers any provider signs or names its event with: the endpoint passes only these.</summary>
    public static readonly IReadOnlyList<string> ReadHeaders =
        [.. Enum.GetValues<GitProvider>().SelectMany(p => new[] { GitPushHooks.SignatureHeader(p), GitPushHooks.EventHeader(p) })];
}

/// <summary>What the hook did: started a run (its id), or why not.</summary>
public sealed record PipelineHookReceipt(bool Started, Guid? RunId = null, string? Reason = null);

public static class ReceivePipelineHookHandler
{
    public const string NoSuchHook = "No such pipeline hook.";

    public static async Task<Result<PipelineHookReceipt>> Handle(ReceivePipelineHook command, IQuerySession session, IDataProtectionProvider protection,
        IMessageContext messages, CancellationToken ct)
    {
        var pipeline = await session.LoadAsync<PipelineView>(command.PipelineId, ct);
        if (pipeline is null || !Enum.TryParse<GitProvider>(command.Provider, ignoreCase: true, out var provider) || !Enum.IsDefined(provider)
            || pipeline.Definition.EffectiveTriggers.GitPush != provider || pipeline.Definition.Source.Kind != PipelineSourceKind.Git)
            return Failure.NotFound(NoSuchHook);

        var secret = await PipelineWebhookSecrets.ReadAsync(session, protection, pipeline.Id, ct) ?? "";
        var body = await command.Body.ReadAsync(ct);
        var reading = GitPushHooks.Read(provider, secret, command.Headers, body.Span);
        switch (reading.Outcome)
        {
            case GitHookOutcome.Unauthorized:
                return Failure.Unauthorized(reading.Message ?? "The delivery is not signed with this pipeline's webhook secret.");
            case GitHookOutcome.Invalid:
                return Failure.Invalid(reading.Message ?? "The delivery is not a push.", "body");
            case GitHookOutcome.Ignored:
                return new PipelineHookReceipt(false, Reason: reading.Message);
        }

        var push = reading.Push!;
        if (push.Branch is not { } branch)
            return new PipelineHookReceipt(false, Reason: $"{push.Ref} is not a branch: pipelines of a git repository run for pushed branches.");
        if (!RefFilters.Matches(pipeline.Definition.Source.Branches, branch))
            return new PipelineHookReceipt(false, Reason: $"Branch {branch} does not pass the pipeline's branch filter ({pipeline.Definition.Source.Branches}).");

        var runId = Guid.CreateVersion7();
        var trigger = new RunTrigger(TriggerKind.GitPush, Ref: branch, Commit: push.Commit, CommittedAt: push.CommittedAt, Detail: push.Pusher);
        await messages.PublishAsync(new QueuePipelineRun(pipeline.Id, trigger, null, Actor(provider), RunId: runId));
        return new PipelineHookReceipt(true, runId);
    }

    /// <summary>Who queued a run from a webhook: the provider's hook (the pusher is in the trigger).</summary>
    public static ActorRef Actor(GitProvider provider) => new(Guid.Empty, $"{provider} webhook");
}
