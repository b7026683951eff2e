using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Pipelines;
using Marten;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.Pipelines.RotatingWebhookSecret;

/// <summary>
/// A new git push webhook secret for the pipeline: the one before stops verifying at once. Answers the secret and
/// the webhook's path, once; nothing shows it again.
/// </summary>
[Writes] // answers the secret, not Accepted
public sealed record RotatePipelineWebhookSecret(Guid PipelineId) : IRequest<PipelineWebhookSetUp>;

public static class RotatePipelineWebhookSecretHandler
{
    public static async Task<Result<PipelineWebhookSetUp>> Handle(RotatePipelineWebhookSecret command, Actor actor, IDocumentSession session,
        IDataProtectionProvider protection, TimeProvider clock, CancellationToken ct)
    {
        var loaded = await PipelineAccess.LoadAsync(session, actor, command.PipelineId, TenancyAccess.CanDeploy, ct);
        if (loaded.Failure is { } denied) return denied;
        var stream = await session.Events.FetchForWriting<Pipeline>(command.PipelineId, ct);
        if (stream.Aggregate is not { } pipeline) return Failure.NotFound(PipelineAccess.NoSuchPipeline);
        var decision = pipeline.RotateWebhookSecret(actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        stream.AppendMany(decision.Events.ToArray());
        return PipelineWebhookSecrets.Store(session, protection, pipeline.Id, pipeline.Definition.EffectiveTriggers.GitPush!.Value);
    }
}
