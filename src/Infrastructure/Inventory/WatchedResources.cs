using k8s;
using k8s.Models;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>The kinds the inventory follows, each through KubernetesClient's typed list and watch calls.</summary>
internal static class WatchedResources
{
    public static readonly WatchedResource<V1Node, V1NodeList> Nodes = new("nodes",
        (k, c, l, ct) => k.CoreV1.ListNodeAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.CoreV1.WatchListNodeAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1Namespace, V1NamespaceList> Namespaces = new("namespaces",
        (k, c, l, ct) => k.CoreV1.ListNamespaceAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.CoreV1.WatchListNamespaceAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1Pod, V1PodList> Pods = new("pods",
        (k, c, l, ct) => k.CoreV1.ListPodForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1Service, V1ServiceList> Services = new("services",
        (k, c, l, ct) => k.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<Corev1Event, Corev1EventList> Events = new("events",
        (k, c, l, ct) => k.CoreV1.ListEventForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.CoreV1.WatchListEventForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1Deployment, V1DeploymentList> Deployments = new("deployments",
        (k, c, l, ct) => k.AppsV1.ListDeploymentForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.AppsV1.WatchListDeploymentForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1StatefulSet, V1StatefulSetList> StatefulSets = new("statefulsets",
        (k, c, l, ct) => k.AppsV1.ListStatefulSetForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.AppsV1.WatchListStatefulSetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1DaemonSet, V1DaemonSetList> DaemonSets = new("daemonsets",
        (k, c, l, ct) => k.AppsV1.ListDaemonSetForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.AppsV1.WatchListDaemonSetForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1Job, V1JobList> Jobs = new("jobs",
        (k, c, l, ct) => k.BatchV1.ListJobForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.BatchV1.WatchListJobForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1CronJob, V1CronJobList> CronJobs = new("cronjobs",
        (k, c, l, ct) => k.BatchV1.ListCronJobForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.BatchV1.WatchListCronJobForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));

    public static readonly WatchedResource<V1Ingress, V1IngressList> Ingresses = new("ingresses",
        (k, c, l, ct) => k.NetworkingV1.ListIngressForAllNamespacesAsync(continueParameter: c, limit: l, cancellationToken: ct),
        (k, rv, t, e, ct) => k.NetworkingV1.WatchListIngressForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: t, onError: e, cancellationToken: ct));
}
