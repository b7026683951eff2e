using Cocktail.Domain.Tenancy;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.ServiceMaps;

public static class Configuration
{
    /// <summary>Service maps: their settings, lifecycle and the cluster's verdict (their quota is in the cluster's allocation, see Workspaces).</summary>
    public static void AddServiceMaps(this StoreOptions options)
    {
        options.Projections.Add<ServiceMapViewProjection>(ProjectionLifecycle.Inline);
        options.Schema.For<ServiceMapView>().Index(s => s.WorkspaceId).Index(s => s.ClusterId);
        options.Events.AddEventTypes([
            typeof(ServiceMapCreated), typeof(ServiceMapSettingsChanged), typeof(ServiceMapBecameReady), typeof(ServiceMapReconcileFailed),
            typeof(DriftCorrected), typeof(ServiceMapDeletionRequested), typeof(ServiceMapDeleted),
        ]);
    }
}
