using Cocktail.Application.AccessGrants;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.KubernetesAudit.SettingUpWebhook;

/// <summary>
/// Gives a cluster a new audit webhook secret: its first one, or one replacing the current one, which its API servers'
/// batches stop being accepted with at once. Answers the set-up with the new secret.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
[Writes] // answers the set-up, not Accepted
public sealed record RotateAuditWebhookSecret(Guid ClusterId, string BaseUrl) : IRequest<AuditWebhookConfig>;

public static class RotateAuditWebhookSecretHandler
{
    public static async Task<Result<AuditWebhookConfig>> Handle(RotateAuditWebhookSecret command, Actor actor, IDocumentSession session,
        IDataProtectionProvider protection, IKubeconfigWriter kubeconfigs, IOptions<KubernetesAuditOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var secret = AuditWebhookSecrets.New();
        var now = clock.GetUtcNow();
        session.Store(new ClusterAuditWebhook
        {
            Id = cluster.Id, SecretHash = AuditWebhookSecrets.Hash(secret),
            ProtectedSecret = protection.CreateProtector(AuditWebhookSecrets.Purpose).Protect(secret), CreatedAt = now,
        });
        session.Events.Append(cluster.Id, new AuditWebhookSecretCreated(cluster.Id, cluster.Name, actor.Ref, now));
        return AuditWebhookSetUp.For(cluster, secret, command.BaseUrl, options.Value, kubeconfigs);
    }
}
