using Cocktail.Application.KubernetesAudit.Webhook;
using Cocktail.Domain.Access;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.AccessGrants;

public static class Configuration
{
    /// <summary>Access grants and requests, and the per-cluster audit webhook secrets.</summary>
    public static void AddAccess(this StoreOptions options)
    {
        options.Projections.Snapshot<AccessGrantView>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<AccessRequestView>(SnapshotLifecycle.Inline);
        options.Schema.For<AccessGrantView>().Index(g => g.ClusterId).Index(g => g.UserId).Index(g => g.ServiceAccount);
        options.Schema.For<AccessRequestView>().Index(r => r.UserId);
        options.Schema.For<ClusterAuditWebhook>();
        options.Schema.For<AuditWebhookDelivery>();
        options.Schema.For<AuditWebhookRefusal>();
        options.Events.AddEventTypes([
            typeof(ClusterAccessGranted), typeof(AccessGrantActivated), typeof(AccessGrantActivationFailed), typeof(AccessGrantRevoked),
            typeof(AccessGrantExpired), typeof(AccessGrantRemovedFromCluster), typeof(AccessGrantExpiryWarned), typeof(KubeconfigIssued),
            typeof(AccessRequested), typeof(AccessRequestApproved), typeof(AccessRequestRejected), typeof(AuditWebhookSecretCreated),
        ]);
    }
}
