using Cocktail.Application.Clusters;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Access;

namespace Cocktail.Web.Components.Pages.Access;

/// <summary>Where and how much access: a cluster, or one of its service maps, and a role. Shared by grants and requests.</summary>
public sealed class ScopeInput
{
    public ClusterView? Cluster { get; set; }
    public AccessScope Scope { get; set; } = AccessScope.Cluster;
    public ServiceMapView? ServiceMap { get; set; }
    public AccessRole Role { get; set; } = AccessRole.View;

    public Guid ClusterId => Cluster?.Id ?? Guid.Empty;
    public Guid? ServiceMapId => Scope == AccessScope.ServiceMap ? ServiceMap?.Id : null;
}
