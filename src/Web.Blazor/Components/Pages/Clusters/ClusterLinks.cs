using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Clusters.ViewingObjects;

namespace Cocktail.Web.Components.Pages.Clusters;

/// <summary>Where a row of a cluster's tables opens: the object's detail view.</summary>
public static class ClusterLinks
{
    public static string Workload(Guid clusterId, WorkloadInfo workload) =>
        ObjectKinds.Href(clusterId, ObjectKinds.FromKubernetesKind(workload.Kind.ToString()) ?? ObjectKind.Deployment, workload.Namespace, workload.Name);

    /// <summary>The event itself; an event stored before its name was kept opens the object it is about.</summary>
    public static string Event(Guid clusterId, KubeEventInfo e) =>
        e.Name is { } name
            ? ObjectKinds.Href(clusterId, ObjectKind.Event, e.Namespace, name)
            : ObjectKinds.FromKubernetesKind(e.InvolvedKind) is { } kind
                ? ObjectKinds.Href(clusterId, kind, ObjectKinds.IsNamespaced(kind) ? e.Namespace : null, e.InvolvedName)
                : $"/clusters/{clusterId}?tab=events";
}
