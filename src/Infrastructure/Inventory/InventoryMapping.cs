using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Domain.Tenancy;
using k8s.Models;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>Turns Kubernetes objects into the small records the inventory keeps (not the whole object).</summary>
public static class InventoryMapping
{
    public const string GpuResource = ResourceQuotaKeys.GpuResource;

    public static ResourceAmounts Amounts(IDictionary<string, ResourceQuantity>? resources) =>
        resources is null ? ResourceAmounts.None : new ResourceAmounts(
            CpuMillis: (long)(Value(resources, "cpu") * 1000m),
            MemoryBytes: (long)Value(resources, "memory"),
            Gpus: (long)Value(resources, GpuResource),
            Pods: (long)Value(resources, "pods"));

    private static decimal Value(IDictionary<string, ResourceQuantity> resources, string name) =>
        resources.TryGetValue(name, out var q) && q is not null ? SafeDecimal(q) : 0m;

    private static decimal SafeDecimal(ResourceQuantity q)
    {
        try { return q.ToDecimal(); }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException) { return 0m; }
    }

    public static NodeInfo Node(V1Node node, ResourceAmounts requested, ResourceAmounts? usage)
    {
        var conditions = (node.Status?.Conditions ?? []).Select(c => new NodeCondition(c.Type, c.Status, c.Reason, c.Message)).ToList();
        var roles = (node.Metadata.Labels ?? new Dictionary<string, string>())
            .Where(l => l.Key.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
            .Select(l => l.Key["node-role.kubernetes.io/".Length..]).ToList();
        return new NodeInfo(
            node.Metadata.Name,
            conditions.Any(c => c.Type == "Ready" && c.Status == "True"),
            node.Spec?.Unschedulable ?? false,
            roles,
            node.Status?.NodeInfo?.KubeletVersion ?? "",
            conditions,
            (node.Spec?.Taints ?? []).Select(t => new NodeTaint(t.Key, t.Value, t.Effect)).ToList(),
            Amounts(node.Status?.Capacity),
            Amounts(node.Status?.Allocatable),
            requested,
            usage,
            Labels(node.Metadata.Labels),
            node.Metadata.CreationTimestamp);
    }

    public static NamespaceInfo Namespace(V1Namespace ns) =>
        new(ns.Metadata.Name, ns.Status?.Phase ?? "Active", Labels(ns.Metadata.Labels), ns.Metadata.CreationTimestamp);

    public static PodInfo Pod(V1Pod pod, ResourceAmounts? usage)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var containers = (pod.Spec?.Containers ?? []).Select(c =>
        {
            var status = statuses.FirstOrDefault(s => s.Name == c.Name);
            var (state, reason) = status?.State switch
            {
                { Running: not null } => ("Running", (string?)null),
                { Waiting: { } w } => ("Waiting", w.Reason),
                { Terminated: { } t } => ("Terminated", t.Reason),
                _ => ("Unknown", null),
            };
            return new ContainerInfo(c.Name, c.Image, status?.Ready ?? false, status?.RestartCount ?? 0, state, reason);
        }).ToList();
        var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true) ?? pod.Metadata.OwnerReferences?.FirstOrDefault();
        return new PodInfo(
            pod.Metadata.NamespaceProperty ?? "",
            pod.Metadata.Name,
            pod.Status?.Phase ?? "Pending",
            pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") ?? false,
            containers.Sum(c => c.Restarts),
            pod.Spec?.NodeName,
            owner?.Kind,
            owner?.Name,
            Requests(pod),
            usage,
            containers,
            pod.Status?.Reason ?? containers.FirstOrDefault(c => c.Reason is not null)?.Reason,
            Labels(pod.Metadata.Labels),
            pod.Metadata.CreationTimestamp);
    }

    /// <summary>What the scheduler counts: the sum of the containers' requests (init containers: the largest).</summary>
    public static ResourceAmounts Requests(V1Pod pod)
    {
        var sum = (pod.Spec?.Containers ?? []).Aggregate(ResourceAmounts.None, (total, c) => total + Amounts(c.Resources?.Requests));
        var init = (pod.Spec?.InitContainers ?? []).Select(c => Amounts(c.Resources?.Requests)).ToList();
        if (init.Count == 0) return sum with { Pods = 1 };
        return new ResourceAmounts(
            Math.Max(sum.CpuMillis, init.Max(i => i.CpuMillis)),
            Math.Max(sum.MemoryBytes, init.Max(i => i.MemoryBytes)),
            Math.Max(sum.Gpus, init.Max(i => i.Gpus)),
            1);
    }

    public static bool IsTerminated(PodInfo pod) => pod.Phase is "Succeeded" or "Failed";

    public static WorkloadInfo Deployment(V1Deployment d)
    {
        var desired = d.Spec?.Replicas ?? 1;
        var status = d.Status;
        var failure = status?.Conditions?.FirstOrDefault(c => c.Type == "ReplicaFailure" && c.Status == "True");
        var progressing = status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
        // As `kubectl rollout status`: until the controller has seen the latest generation, the status describes an older spec.
        var observed = (status?.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0);
        var state = failure is not null ? "Failing"
            : progressing is { Status: "False" } ? "Stalled"
            : observed && (status?.AvailableReplicas ?? 0) >= desired && (status?.UpdatedReplicas ?? 0) >= desired && (status?.Replicas ?? 0) <= desired ? "Available"
            : "Progressing";
        return new WorkloadInfo(InventoryKind.Deployment, d.Metadata.NamespaceProperty, d.Metadata.Name, desired,
            status?.ReadyReplicas ?? 0, status?.AvailableReplicas ?? 0, status?.UpdatedReplicas ?? 0,
            Images(d.Spec?.Template), state, failure?.Message ?? (state == "Stalled" ? progressing?.Message : null),
            Labels(d.Metadata.Labels), d.Metadata.CreationTimestamp);
    }

    public static WorkloadInfo StatefulSet(V1StatefulSet s)
    {
        var desired = s.Spec?.Replicas ?? 1;
        var ready = s.Status?.ReadyReplicas ?? 0;
        var observed = (s.Status?.ObservedGeneration ?? 0) >= (s.Metadata.Generation ?? 0);
        var updated = s.Status?.UpdatedReplicas ?? 0;
        var available = observed && ready >= desired && updated >= desired && (s.Status?.Replicas ?? 0) <= desired;
        return new WorkloadInfo(InventoryKind.StatefulSet, s.Metadata.NamespaceProperty, s.Metadata.Name, desired, ready,
            s.Status?.AvailableReplicas ?? ready, updated, Images(s.Spec?.Template),
            available ? "Available" : "Progressing", null, Labels(s.Metadata.Labels), s.Metadata.CreationTimestamp);
    }

    public static WorkloadInfo DaemonSet(V1DaemonSet d)
    {
        var desired = d.Status?.DesiredNumberScheduled ?? 0;
        var ready = d.Status?.NumberReady ?? 0;
        return new WorkloadInfo(InventoryKind.DaemonSet, d.Metadata.NamespaceProperty, d.Metadata.Name, desired, ready,
            d.Status?.NumberAvailable ?? 0, d.Status?.UpdatedNumberScheduled ?? 0, Images(d.Spec?.Template),
            ready >= desired ? "Available" : "Progressing", null, Labels(d.Metadata.Labels), d.Metadata.CreationTimestamp);
    }

    public static WorkloadInfo Job(V1Job j)
    {
        var completions = j.Spec?.Completions ?? 1;
        var failed = j.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True");
        var complete = j.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") ?? false;
        var state = failed is not null ? "Failed" : complete ? "Complete" : "Running";
        return new WorkloadInfo(InventoryKind.Job, j.Metadata.NamespaceProperty, j.Metadata.Name, completions,
            j.Status?.Succeeded ?? 0, j.Status?.Succeeded ?? 0, j.Status?.Active ?? 0, Images(j.Spec?.Template), state,
            failed?.Message, Labels(j.Metadata.Labels), j.Metadata.CreationTimestamp);
    }

    public static WorkloadInfo CronJob(V1CronJob c) =>
        new(InventoryKind.CronJob, c.Metadata.NamespaceProperty, c.Metadata.Name, 0, 0, 0, c.Status?.Active?.Count ?? 0,
            Images(c.Spec?.JobTemplate?.Spec?.Template), c.Spec?.Suspend == true ? "Suspended" : "Scheduled", c.Spec?.Schedule,
            Labels(c.Metadata.Labels), c.Metadata.CreationTimestamp);

    public static ServiceInfo Service(V1Service s) =>
        new(s.Metadata.NamespaceProperty, s.Metadata.Name, s.Spec?.Type ?? "ClusterIP", s.Spec?.ClusterIP,
            (s.Spec?.Ports ?? []).Select(p => $"{p.Port}/{p.Protocol ?? "TCP"}" + (p.NodePort is { } np ? $":{np}" : "")).ToList(),
            Labels(s.Spec?.Selector), s.Metadata.CreationTimestamp);

    public static IngressInfo Ingress(V1Ingress i) =>
        new(i.Metadata.NamespaceProperty, i.Metadata.Name, i.Spec?.IngressClassName,
            (i.Spec?.Rules ?? []).Select(r => r.Host ?? "*").Distinct().ToList(),
            (i.Spec?.Rules ?? []).SelectMany(r => r.Http?.Paths ?? [])
                .Select(p => $"{p.Path ?? "/"} → {p.Backend?.Service?.Name}:{p.Backend?.Service?.Port?.Number?.ToString() ?? p.Backend?.Service?.Port?.Name}")
                .ToList(),
            i.Metadata.CreationTimestamp);

    public static KubeEventInfo Event(Corev1Event e) =>
        new(e.Metadata.Uid ?? $"{e.Metadata.NamespaceProperty}/{e.Metadata.Name}", e.Type ?? "Normal", e.Reason ?? "", e.Message ?? "",
            e.Metadata.NamespaceProperty ?? "", e.InvolvedObject?.Kind ?? "", e.InvolvedObject?.Name ?? "",
            e.Count ?? (e.Series?.Count ?? 1),
            e.FirstTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp,
            e.LastTimestamp ?? e.Series?.LastObservedTime ?? e.EventTime ?? e.FirstTimestamp ?? e.Metadata.CreationTimestamp ?? DateTime.UtcNow,
            e.Source?.Component ?? e.ReportingComponent, e.Metadata.Name);

    private static IReadOnlyList<string> Images(V1PodTemplateSpec? template) =>
        (template?.Spec?.Containers ?? []).Select(c => c.Image).ToList();

    private static IReadOnlyDictionary<string, string> Labels(IDictionary<string, string>? labels) =>
        labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels);
}
