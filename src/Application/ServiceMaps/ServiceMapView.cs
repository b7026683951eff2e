using Cocktail.Domain.Tenancy;
using Marten.Events.Projections;

namespace Cocktail.Application.ServiceMaps;

/// <summary>A service map as its pages and the reconciler read it: settings, quota and the cluster's verdict.</summary>
public sealed class ServiceMapView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public Guid WorkspaceId { get; set; }
    public string WorkspaceName { get; set; } = "";
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public string Namespace { get; set; } = "";
    public Quota Quota { get; set; } = Quota.None;
    public DefaultLimits? DefaultLimits { get; set; }
    public PodSecurityLevel PodSecurity { get; set; }
    public ServiceMapStatus Status { get; set; }
    public string? StatusMessage { get; set; }
    public DateTimeOffset StatusSince { get; set; }
    public DateTimeOffset? LastDriftCorrectedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
}

/// <summary>From the service map's stream and its cluster's allocation events; deleted once its namespace is gone.</summary>
public sealed partial class ServiceMapViewProjection : MultiStreamProjection<ServiceMapView, Guid>
{
    public ServiceMapViewProjection()
    {
        Identity<ServiceMapCreated>(e => e.ServiceMapId);
        Identity<ServiceMapSettingsChanged>(e => e.ServiceMapId);
        Identity<ServiceMapBecameReady>(e => e.ServiceMapId);
        Identity<ServiceMapReconcileFailed>(e => e.ServiceMapId);
        Identity<DriftCorrected>(e => e.ServiceMapId);
        Identity<ServiceMapDeletionRequested>(e => e.ServiceMapId);
        Identity<ServiceMapDeleted>(e => e.ServiceMapId);
        Identity<ServiceMapQuotaChanged>(e => e.ServiceMapId);
    }

    public ServiceMapView Create(ServiceMapCreated e) => new()
    {
        Id = e.ServiceMapId, Name = e.Name, WorkspaceId = e.WorkspaceId, WorkspaceName = e.WorkspaceName,
        ClusterId = e.ClusterId, ClusterName = e.ClusterName, Namespace = e.Namespace, Quota = e.Quota,
        DefaultLimits = e.DefaultLimits, PodSecurity = e.PodSecurity, Status = ServiceMapStatus.Pending,
        StatusSince = e.CreatedAt, CreatedAt = e.CreatedAt, CreatedBy = e.CreatedBy.Name,
    };

    public void Apply(ServiceMapSettingsChanged e, ServiceMapView view)
    {
        view.Name = e.Name;
        view.DefaultLimits = e.DefaultLimits;
        view.PodSecurity = e.PodSecurity;
        Pending(view, e.ChangedAt);
    }

    public void Apply(ServiceMapQuotaChanged e, ServiceMapView view)
    {
        view.Quota = e.To;
        Pending(view, e.ChangedAt);
    }

    public void Apply(ServiceMapBecameReady e, ServiceMapView view) => SetStatus(view, ServiceMapStatus.Ready, null, e.At);
    public void Apply(ServiceMapReconcileFailed e, ServiceMapView view) => SetStatus(view, ServiceMapStatus.Failed, e.Error, e.At);
    public void Apply(DriftCorrected e, ServiceMapView view) => view.LastDriftCorrectedAt = e.At;
    public void Apply(ServiceMapDeletionRequested e, ServiceMapView view) => SetStatus(view, ServiceMapStatus.Deleting, "Deleting the namespace.", e.RequestedAt);
    public bool ShouldDelete(ServiceMapDeleted _) => true;

    private static void Pending(ServiceMapView view, DateTimeOffset at)
    {
        if (view.Status != ServiceMapStatus.Deleting) SetStatus(view, ServiceMapStatus.Pending, "Applying the change to the cluster.", at);
    }

    private static void SetStatus(ServiceMapView view, ServiceMapStatus status, string? message, DateTimeOffset at)
    {
        view.Status = status;
        view.StatusMessage = message;
        view.StatusSince = at;
    }
}
