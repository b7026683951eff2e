using Cocktail.Domain.Access;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.AccessGrants;

public static class Configuration
{
    /// <summary>Access grants and requests.</summary>
    public static void AddAccess(this StoreOptions options)
    {
        options.Projections.Snapshot<AccessGrantView>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<AccessRequestView>(SnapshotLifecycle.Inline);
        options.Schema.For<AccessGrantView>().Index(g => g.ClusterId).Index(g => g.UserId).Index(g => g.ServiceAccount);
        options.Schema.For<AccessRequestView>().Index(r => r.UserId);
        options.Events.AddEventTypes([
            typeof(ClusterAccessGranted), typeof(AccessGrantActivated), typeof(AccessGrantActivationFailed), typeof(AccessGrantRevoked),
            typeof(AccessGrantExpired), typeof(AccessGrantRemovedFromCluster), typeof(AccessGrantExpiryWarned), typeof(KubeconfigIssued),
            typeof(AccessRequested), typeof(AccessRequestApproved), typeof(AccessRequestRejected),
        ]);
    }
}
