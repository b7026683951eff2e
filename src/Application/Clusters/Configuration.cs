using Cocktail.Domain.Clusters;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Clusters;

public static class Configuration
{
    public static void AddClusters(this StoreOptions options)
    {
        options.Projections.Snapshot<ClusterView>(SnapshotLifecycle.Inline);
        options.Schema.For<ClusterView>().UniqueIndex(c => c.Name);
        options.Schema.For<ClusterCredential>();
        options.Events.AddEventTypes([
            typeof(ClusterRegistered), typeof(ClusterCredentialsRotated), typeof(ClusterDetailsChanged),
            typeof(ClusterUnregistered), typeof(ClusterBecameUnreachable), typeof(ClusterDegraded), typeof(ClusterRecovered),
            typeof(ClusterVersionChanged),
        ]);
        // Renamed to past tense; stored under its first name so the events already recorded load.
        options.Events.MapEventType<ClusterCredentialExpiryWarned>(ClusterCredentialExpiryWarned.StoredName);
    }
}
