namespace Cocktail.Application.Clusters.ViewingObjects;

/// <summary>
/// The kinds of cluster object the console opens. Secrets (and anything else not listed) are never offered: their
/// data would reach whoever may read the namespace's inventory.
/// </summary>
public enum ObjectKind { Node, Namespace, Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob, Service, Ingress, Event }

public static class ObjectKinds
{
    private static readonly (ObjectKind Kind, string Path)[] Paths =
    [
        (ObjectKind.Node, "nodes"), (ObjectKind.Namespace, "namespaces"), (ObjectKind.Pod, "pods"),
        (ObjectKind.Deployment, "deployments"), (ObjectKind.StatefulSet, "statefulsets"), (ObjectKind.DaemonSet, "daemonsets"),
        (ObjectKind.Job, "jobs"), (ObjectKind.CronJob, "cronjobs"), (ObjectKind.Service, "services"),
        (ObjectKind.Ingress, "ingresses"), (ObjectKind.Event, "events"),
    ];

    /// <summary>The kinds as the URL names them: the resource's plural, as in the Kubernetes API.</summary>
    public static IEnumerable<string> PathNames => Paths.Select(p => p.Path);

    public static string PathOf(ObjectKind kind) => Paths.First(p => p.Kind == kind).Path;

    /// <summary>A plural resource name ("deployments") or a kind ("Deployment"), in any case.</summary>
    public static bool TryParse(string? text, out ObjectKind kind)
    {
        kind = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        foreach (var (k, path) in Paths)
            if (string.Equals(text, path, StringComparison.OrdinalIgnoreCase) || string.Equals(text, k.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        return false;
    }

    /// <summary>The console's kind for a Kubernetes kind an owner reference or an event names, when the console opens it.</summary>
    public static ObjectKind? FromKubernetesKind(string? kind) =>
        kind is not null && Enum.TryParse<ObjectKind>(kind, ignoreCase: false, out var k) ? k : null;

    public static bool IsNamespaced(ObjectKind kind) => kind is not (ObjectKind.Node or ObjectKind.Namespace);

    public static bool IsWorkload(ObjectKind kind) =>
        kind is ObjectKind.Deployment or ObjectKind.StatefulSet or ObjectKind.DaemonSet or ObjectKind.Job or ObjectKind.CronJob;

    /// <summary>The console's address of an object's detail view.</summary>
    public static string Href(Guid clusterId, ObjectKind kind, string? ns, string name) =>
        IsNamespaced(kind)
            ? $"/clusters/{clusterId}/objects/{PathOf(kind)}/{Uri.EscapeDataString(ns ?? "")}/{Uri.EscapeDataString(name)}"
            : $"/clusters/{clusterId}/objects/{PathOf(kind)}/{Uri.EscapeDataString(name)}";
}
