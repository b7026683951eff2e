using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.KubernetesAudit.Ingesting;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.KubernetesAudit.SettingUpWebhook;

/// <summary>The webhook's last batch and last refusal, for the cluster's Audit tab: is anything arriving, and if not, why not?</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetAuditWebhookStatus(Guid ClusterId) : IRequest<AuditWebhookStatusView>;

public sealed record AuditWebhookStatusView(
    Guid ClusterId, bool Configured, DateTimeOffset? LastBatchAt, int LastBatchEvents, DateTimeOffset? LastRefusalAt, string? LastRefusalReason);

public static class GetAuditWebhookStatusHandler
{
    public static async Task<Result<AuditWebhookStatusView>> Handle(GetAuditWebhookStatus query, IQuerySession session, CancellationToken ct)
    {
        if (await session.LoadAsync<ClusterView>(query.ClusterId, ct) is null) return Failure.NotFound("No such cluster.");
        var configured = await session.LoadAsync<ClusterAuditWebhook>(query.ClusterId, ct) is not null;
        var delivery = await session.LoadAsync<AuditWebhookDelivery>(query.ClusterId, ct);
        var refusal = await session.LoadAsync<AuditWebhookRefusal>(query.ClusterId, ct);
        return new AuditWebhookStatusView(query.ClusterId, configured, delivery?.At, delivery?.Events ?? 0, refusal?.At, refusal?.Reason);
    }
}
