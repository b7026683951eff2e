using System.Globalization;
using System.Net;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.ViewingObjects;
using Cocktail.Application.ServiceMaps.Reconciling;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// Reads one object live through the cluster's client (<see cref="ClusterClientFactory"/>) and describes it as
/// `kubectl describe` would: the typed model, so that every kind's fields are read by name rather than by path.
/// </summary>
public sealed class ClusterObjectReader(ClusterClientFactory clients) : IClusterObjectReader
{
    public async Task<(LiveObject? Object, LiveObjectProblem Problem, string? Message)> ReadAsync(ClusterConnection cluster, ObjectKind kind, string? ns,
        string name, CancellationToken ct)
    {
        using var lease = clients.Lease(cluster);
        var k = lease.Client;
        try
        {
            return (await ReadAsync(k, kind, ns ?? "", name, ct), LiveObjectProblem.None, null);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, LiveObjectProblem.NotFound, null);
        }
        catch (Exception e) when (ClusterCalls.Classify(e) is { } outcome && !ct.IsCancellationRequested)
        {
            return (null, outcome.Result == ApplyResult.Unreachable ? LiveObjectProblem.Unreachable : LiveObjectProblem.Refused,
                outcome.Message);
        }
    }

    private static async Task<LiveObject> ReadAsync(IKubernetes k, ObjectKind kind, string ns, string name, CancellationToken ct) => kind switch
    {
        ObjectKind.Node => Live(await k.CoreV1.ReadNodeAsync(name, cancellationToken: ct), "v1", "Node", Describe),
        ObjectKind.Namespace => await NamespaceAsync(k, name, ct),
        ObjectKind.Pod => Live(await k.CoreV1.ReadNamespacedPodAsync(name, ns, cancellationToken: ct), "v1", "Pod", Describe),
        ObjectKind.Deployment => Live(await k.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: ct), "apps/v1", "Deployment", Describe),
        ObjectKind.StatefulSet => Live(await k.AppsV1.ReadNamespacedStatefulSetAsync(name, ns, cancellationToken: ct), "apps/v1", "StatefulSet", Describe),
        ObjectKind.DaemonSet => Live(await k.AppsV1.ReadNamespacedDaemonSetAsync(name, ns, cancellationToken: ct), "apps/v1", "DaemonSet", Describe),
        ObjectKind.Job => Live(await k.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: ct), "batch/v1", "Job", Describe),
        ObjectKind.CronJob => Live(await k.BatchV1.ReadNamespacedCronJobAsync(name, ns, cancellationToken: ct), "batch/v1", "CronJob", Describe),
        ObjectKind.Service => await ServiceAsync(k, ns, name, ct),
        ObjectKind.Ingress => Live(await k.NetworkingV1.ReadNamespacedIngressAsync(name, ns, cancellationToken: ct), "networking.k8s.io/v1", "Ingress", Describe),
        ObjectKind.Event => Live(await k.CoreV1.ReadNamespacedEventAsync(name, ns, cancellationToken: ct), "v1", "Event", Describe),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The YAML leaves out <c>metadata.managedFields</c>, as `kubectl get -o yaml` does since 1.21: noise to a reader.</summary>
    private static LiveObject Live<T>(T obj, string apiVersion, string kind, Func<T, ObjectDescription> describe)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        obj.Metadata.ManagedFields = null;
        obj.ApiVersion ??= apiVersion;
        obj.Kind ??= kind;
        return new LiveObject(KubernetesYaml.Serialize(obj), describe(obj));
    }

    private static async Task<LiveObject> NamespaceAsync(IKubernetes k, string name, CancellationToken ct)
    {
        var ns = await k.CoreV1.ReadNamespaceAsync(name, cancellationToken: ct);
        var quotas = await k.CoreV1.ListNamespacedResourceQuotaAsync(name, cancellationToken: ct);
        var live = Live(ns, "v1", "Namespace", n => Base(n, "Namespace") with { Fields = [new("Status", n.Status?.Phase ?? "Active")] });
        var fields = live.Description.Fields.Concat(quotas.Items.Select(q => new ObjectField($"Quota {q.Metadata.Name}",
            string.Join("\n", (q.Status?.Hard ?? q.Spec?.Hard ?? new Dictionary<string, ResourceQuantity>()).OrderBy(h => h.Key, StringComparer.Ordinal)
                .Select(h => $"{h.Key}: {Quantity(q.Status?.Used, h.Key) ?? "0"} used of {h.Value}"))))).ToList();
        if (quotas.Items.Count == 0) fields.Add(new("Quota", "No resource quota."));
        return live with { Description = live.Description with { Fields = fields } };
    }

    private static async Task<LiveObject> ServiceAsync(IKubernetes k, string ns, string name, CancellationToken ct)
    {
        var service = await k.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: ct);
        V1Endpoints? endpoints = null;
        try
        {
            endpoints = await k.CoreV1.ReadNamespacedEndpointsAsync(name, ns, cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // A Service without a selector has no Endpoints object unless someone writes one.
        }
        var live = Live(service, "v1", "Service", Describe);
        var addresses = (endpoints?.Subsets ?? []).SelectMany(s => (s.Addresses ?? []).SelectMany(a => (s.Ports ?? []).Select(p => $"{a.Ip}:{p.Port}"))).ToList();
        var notReady = (endpoints?.Subsets ?? []).SelectMany(s => s.NotReadyAddresses ?? []).Select(a => a.Ip).ToList();
        var text = addresses.Count == 0 ? "<none>" : string.Join(", ", addresses);
        if (notReady.Count > 0) text += $" (not ready: {string.Join(", ", notReady)})";
        return live with { Description = live.Description with { Fields = [.. live.Description.Fields, new("Endpoints", text)] } };
    }

    private static ObjectDescription Base(IKubernetesObject<V1ObjectMeta> obj, string kind) => new(
        kind, obj.Metadata.NamespaceProperty, obj.Metadata.Name, obj.Metadata.CreationTimestamp,
        Map(obj.Metadata.Labels), Map(obj.Metadata.Annotations), [], [],
        (obj.Metadata.OwnerReferences ?? []).Select(o => new ObjectRef(o.Kind, ObjectKinds.FromKubernetesKind(o.Kind) is { } k && !ObjectKinds.IsNamespaced(k)
            ? null : obj.Metadata.NamespaceProperty, o.Name, o.Controller == true ? "Controlled by" : "Owned by")).ToList(),
        null, [], [], null);

    private static ObjectDescription Describe(V1Node node)
    {
        var status = node.Status;
        var info = status?.NodeInfo;
        var roles = (node.Metadata.Labels ?? new Dictionary<string, string>()).Keys
            .Where(l => l.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal)).Select(l => l["node-role.kubernetes.io/".Length..]).ToList();
        return Base(node, "Node") with
        {
            Fields =
            [
                new("Roles", roles.Count == 0 ? "<none>" : string.Join(", ", roles)),
                new("Schedulable", node.Spec?.Unschedulable == true ? "No (cordoned)" : "Yes"),
                new("Addresses", Lines((status?.Addresses ?? []).Select(a => $"{a.Type}: {a.Address}"))),
                new("Capacity", Resources(status?.Capacity)),
                new("Allocatable", Resources(status?.Allocatable)),
                new("Taints", Lines((node.Spec?.Taints ?? []).Select(t => $"{t.Key}{(t.Value is null ? "" : "=" + t.Value)}:{t.Effect}"))),
                new("Kubelet version", info?.KubeletVersion ?? ""),
                new("OS image", info?.OsImage ?? ""),
                new("Container runtime", info?.ContainerRuntimeVersion ?? ""),
                new("Pod CIDR", node.Spec?.PodCIDR ?? "<none>"),
            ],
            Conditions = (status?.Conditions ?? []).Select(c => new ObjectCondition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)).ToList(),
        };
    }

    private static ObjectDescription Describe(V1Pod pod)
    {
        var spec = pod.Spec;
        var status = pod.Status;
        var d = Base(pod, "Pod");
        var references = new List<ObjectRef>();
        // A Deployment's pod is owned by a ReplicaSet, named after the Deployment and the template hash the pod carries.
        var replicaSet = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == "ReplicaSet");
        if (replicaSet is not null && pod.Metadata.Labels?.TryGetValue("pod-template-hash", out var hash) == true
            && replicaSet.Name.EndsWith("-" + hash, StringComparison.Ordinal))
            references.Add(new ObjectRef("Deployment", pod.Metadata.NamespaceProperty, replicaSet.Name[..^(hash.Length + 1)], "Controlled by (through its ReplicaSet)"));
        return d with
        {
            Fields =
            [
                new("Phase", status?.Phase ?? "Pending"),
                new("Node", spec?.NodeName ?? "<not scheduled>"),
                new("Pod IPs", Lines((status?.PodIPs ?? []).Select(i => i.Ip), status?.PodIP ?? "<none>")),
                new("Host IP", status?.HostIP ?? "<none>"),
                new("QoS class", status?.QosClass ?? ""),
                new("Service account", spec?.ServiceAccountName ?? "default"),
                new("Restart policy", spec?.RestartPolicy ?? "Always"),
                new("Started", status?.StartTime is { } started ? Time(started) : "<not yet>"),
            ],
            Conditions = (status?.Conditions ?? []).Select(c => new ObjectCondition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)).ToList(),
            References = references,
            Containers = [.. Containers(spec?.InitContainers, status?.InitContainerStatuses, init: true), .. Containers(spec?.Containers, status?.ContainerStatuses, init: false)],
            Node = spec?.NodeName,
        };
    }

    private static IEnumerable<ContainerDetails> Containers(IList<V1Container>? containers, IList<V1ContainerStatus>? statuses, bool init) =>
        (containers ?? []).Select(c =>
        {
            var s = statuses?.FirstOrDefault(x => x.Name == c.Name);
            var (state, detail) = s?.State switch
            {
                { Running: { } r } => ("Running", r.StartedAt is { } at ? $"since {Time(at)}" : null),
                { Waiting: { } w } => ("Waiting", Join(w.Reason, w.Message)),
                { Terminated: { } t } => ("Terminated", Terminated(t)),
                _ => ("Waiting", "not started yet"),
            };
            var last = s?.LastState?.Terminated is { } previous ? Terminated(previous) : null;
            return new ContainerDetails(c.Name, c.Image, state, detail, s?.Ready ?? false, s?.RestartCount ?? 0, last, init);
        });

    private static string Terminated(V1ContainerStateTerminated t) =>
        $"{t.Reason ?? "Terminated"} (exit code {t.ExitCode})" + (t.FinishedAt is { } at ? $" at {Time(at)}" : "") + (t.Message is { Length: > 0 } m ? $": {m}" : "");

    private static ObjectDescription Describe(V1Deployment d) => Base(d, "Deployment") with
    {
        Fields =
        [
            new("Replicas", $"{d.Spec?.Replicas ?? 1} desired, {d.Status?.UpdatedReplicas ?? 0} updated, {d.Status?.ReadyReplicas ?? 0} ready, " +
                            $"{d.Status?.AvailableReplicas ?? 0} available, {d.Status?.UnavailableReplicas ?? 0} unavailable"),
            new("Strategy", d.Spec?.Strategy?.Type ?? "RollingUpdate"),
            new("Selector", Selector(d.Spec?.Selector)),
            new("Images", Lines((d.Spec?.Template?.Spec?.Containers ?? []).Select(c => $"{c.Name}: {c.Image}"))),
        ],
        Conditions = (d.Status?.Conditions ?? []).Select(c => new ObjectCondition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)).ToList(),
        Selector = d.Spec?.Selector?.MatchLabels is { } labels ? Map(labels) : null,
    };

    private static ObjectDescription Describe(V1StatefulSet s) => Base(s, "StatefulSet") with
    {
        Fields =
        [
            new("Replicas", $"{s.Spec?.Replicas ?? 1} desired, {s.Status?.UpdatedReplicas ?? 0} updated, {s.Status?.ReadyReplicas ?? 0} ready, " +
                            $"{s.Status?.AvailableReplicas ?? 0} available"),
            new("Service", s.Spec?.ServiceName ?? "<none>"),
            new("Update strategy", s.Spec?.UpdateStrategy?.Type ?? "RollingUpdate"),
            new("Selector", Selector(s.Spec?.Selector)),
            new("Images", Lines((s.Spec?.Template?.Spec?.Containers ?? []).Select(c => $"{c.Name}: {c.Image}"))),
        ],
        Conditions = (s.Status?.Conditions ?? []).Select(c => new ObjectCondition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)).ToList(),
        Selector = s.Spec?.Selector?.MatchLabels is { } labels ? Map(labels) : null,
    };

    private static ObjectDescription Describe(V1DaemonSet d) => Base(d, "DaemonSet") with
    {
        Fields =
        [
            new("Replicas", $"{d.Status?.DesiredNumberScheduled ?? 0} desired, {d.Status?.UpdatedNumberScheduled ?? 0} updated, {d.Status?.NumberReady ?? 0} ready, " +
                            $"{d.Status?.NumberAvailable ?? 0} available, {d.Status?.NumberMisscheduled ?? 0} misscheduled"),
            new("Update strategy", d.Spec?.UpdateStrategy?.Type ?? "RollingUpdate"),
            new("Selector", Selector(d.Spec?.Selector)),
            new("Images", Lines((d.Spec?.Template?.Spec?.Containers ?? []).Select(c => $"{c.Name}: {c.Image}"))),
        ],
        Conditions = (d.Status?.Conditions ?? []).Select(c => new ObjectCondition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)).ToList(),
        Selector = d.Spec?.Selector?.MatchLabels is { } labels ? Map(labels) : null,
    };

    private static ObjectDescription Describe(V1Job j) => Base(j, "Job") with
    {
        Fields =
        [
            new("Replicas", $"{j.Spec?.Completions ?? 1} desired completions, {j.Status?.Succeeded ?? 0} succeeded, {j.Status?.Active ?? 0} active, " +
                            $"{j.Status?.Failed ?? 0} failed"),
            new("Parallelism", (j.Spec?.Parallelism ?? 1).ToString(CultureInfo.InvariantCulture)),
            new("Backoff limit", (j.Spec?.BackoffLimit ?? 6).ToString(CultureInfo.InvariantCulture)),
            new("Started", j.Status?.StartTime is { } start ? Time(start) : "<not yet>"),
            new("Completed", j.Status?.CompletionTime is { } done ? Time(done) : "<not yet>"),
            new("Selector", Selector(j.Spec?.Selector)),
        ],
        Conditions = (j.Status?.Conditions ?? []).Select(c => new ObjectCondition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)).ToList(),
        Selector = j.Spec?.Selector?.MatchLabels is { } labels ? Map(labels) : null,
    };

    private static ObjectDescription Describe(V1CronJob c) => Base(c, "CronJob") with
    {
        Fields =
        [
            new("Schedule", c.Spec?.Schedule + (c.Spec?.TimeZone is { } zone ? $" ({zone})" : "")),
            new("Suspended", c.Spec?.Suspend == true ? "Yes" : "No"),
            new("Concurrency policy", c.Spec?.ConcurrencyPolicy ?? "Allow"),
            new("Last schedule", c.Status?.LastScheduleTime is { } last ? Time(last) : "<never>"),
            new("Last success", c.Status?.LastSuccessfulTime is { } ok ? Time(ok) : "<never>"),
        ],
        References = (c.Status?.Active ?? []).Select(a => new ObjectRef("Job", a.NamespaceProperty ?? c.Metadata.NamespaceProperty, a.Name, "Active job")).ToList(),
    };

    private static ObjectDescription Describe(V1Service s) => Base(s, "Service") with
    {
        Fields =
        [
            new("Type", s.Spec?.Type ?? "ClusterIP"),
            new("Cluster IPs", Lines(s.Spec?.ClusterIPs ?? [], s.Spec?.ClusterIP ?? "<none>")),
            new("External", Lines([.. s.Spec?.ExternalIPs ?? [], .. (s.Status?.LoadBalancer?.Ingress ?? []).Select(i => i.Ip ?? i.Hostname)])),
            new("Ports", Lines((s.Spec?.Ports ?? []).Select(p =>
                $"{(p.Name is { Length: > 0 } n ? n + " " : "")}{p.Port}/{p.Protocol ?? "TCP"} → {p.TargetPort?.Value ?? p.Port.ToString(CultureInfo.InvariantCulture)}" +
                (p.NodePort is { } node ? $" (node port {node})" : "")))),
            new("Selector", s.Spec?.Selector is { Count: > 0 } selector ? string.Join(",", selector.Select(l => $"{l.Key}={l.Value}")) : "<none>"),
            new("Session affinity", s.Spec?.SessionAffinity ?? "None"),
        ],
        Conditions = (s.Status?.Conditions ?? []).Select(c => new ObjectCondition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)).ToList(),
        Selector = s.Spec?.Selector is { Count: > 0 } labels ? Map(labels) : null,
    };

    private static ObjectDescription Describe(V1Ingress i)
    {
        var rules = (i.Spec?.Rules ?? []).SelectMany(r => (r.Http?.Paths ?? []).Select(p =>
            (Host: r.Host ?? "*", Path: p.Path ?? "/", Service: p.Backend?.Service?.Name, Port: p.Backend?.Service?.Port?.Number?.ToString(CultureInfo.InvariantCulture) ?? p.Backend?.Service?.Port?.Name)))
            .ToList();
        var backends = rules.Where(r => r.Service is not null).Select(r => r.Service!).ToList();
        if (i.Spec?.DefaultBackend?.Service?.Name is { } fallback) backends.Add(fallback);
        return Base(i, "Ingress") with
        {
            Fields =
            [
                new("Class", i.Spec?.IngressClassName ?? "<none>"),
                new("Rules", Lines(rules.Select(r => $"{r.Host}{r.Path} → {r.Service ?? "<none>"}:{r.Port}"))),
                new("Default backend", i.Spec?.DefaultBackend?.Service is { } d ? $"{d.Name}:{d.Port?.Number?.ToString(CultureInfo.InvariantCulture) ?? d.Port?.Name}" : "<none>"),
                new("TLS", Lines((i.Spec?.Tls ?? []).Select(t => $"{string.Join(", ", t.Hosts ?? [])} (secret {t.SecretName ?? "<none>"})"))),
                new("Address", Lines((i.Status?.LoadBalancer?.Ingress ?? []).Select(a => a.Ip ?? a.Hostname))),
            ],
            References = backends.Distinct(StringComparer.Ordinal).Select(b => new ObjectRef("Service", i.Metadata.NamespaceProperty, b, "Backend")).ToList(),
        };
    }

    private static ObjectDescription Describe(Corev1Event e)
    {
        var involved = e.InvolvedObject;
        var kind = ObjectKinds.FromKubernetesKind(involved?.Kind);
        return Base(e, "Event") with
        {
            Fields =
            [
                new("Type", e.Type ?? "Normal"),
                new("Reason", e.Reason ?? ""),
                new("Message", e.Message ?? ""),
                new("Object", $"{involved?.Kind}/{involved?.Name}" + (involved?.FieldPath is { } path ? $" ({path})" : "")),
                new("Count", (e.Count ?? e.Series?.Count ?? 1).ToString(CultureInfo.InvariantCulture)),
                new("First seen", (e.FirstTimestamp ?? e.EventTime) is { } first ? Time(first) : "<unknown>"),
                new("Last seen", (e.LastTimestamp ?? e.Series?.LastObservedTime ?? e.EventTime) is { } last ? Time(last) : "<unknown>"),
                new("Source", Join(e.Source?.Component ?? e.ReportingComponent, e.Source?.Host) ?? "<unknown>"),
            ],
            References = involved?.Name is { } name
                ? [new ObjectRef(involved.Kind ?? "", kind is { } k && !ObjectKinds.IsNamespaced(k) ? null : involved.NamespaceProperty ?? e.Metadata.NamespaceProperty, name, "About")]
                : [],
        };
    }

    private static IReadOnlyDictionary<string, string> Map(IDictionary<string, string>? map) =>
        map is null ? new Dictionary<string, string>() : new SortedDictionary<string, string>(map, StringComparer.Ordinal);

    private static string Selector(V1LabelSelector? selector)
    {
        var parts = (selector?.MatchLabels ?? new Dictionary<string, string>()).Select(l => $"{l.Key}={l.Value}")
            .Concat((selector?.MatchExpressions ?? []).Select(e => $"{e.Key} {e.OperatorProperty} ({string.Join(",", e.Values ?? [])})")).ToList();
        return parts.Count == 0 ? "<none>" : string.Join(",", parts);
    }

    private static string Resources(IDictionary<string, ResourceQuantity>? resources) =>
        resources is null ? "<unknown>" : Lines(resources.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}: {r.Value}"));

    private static string? Quantity(IDictionary<string, ResourceQuantity>? used, string key) =>
        used is not null && used.TryGetValue(key, out var q) ? q.ToString() : null;

    private static string Lines(IEnumerable<string?> lines, string none = "<none>")
    {
        var list = lines.Where(l => !string.IsNullOrEmpty(l)).ToList();
        return list.Count == 0 ? none : string.Join("\n", list);
    }

    private static string? Join(string? a, string? b) => (a, b) switch
    {
        (null or "", null or "") => null,
        (null or "", _) => b,
        (_, null or "") => a,
        _ => $"{a}: {b}",
    };

    private static string Time(DateTime at) => new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
