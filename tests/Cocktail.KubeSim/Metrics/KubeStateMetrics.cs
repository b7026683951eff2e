using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Proxy;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Metrics;

/// <summary>
/// kube-state-metrics (v2 series and labels) over the simulated objects, served behind the Service
/// <c>kube-system/kube-state-metrics</c> port 8080 ("http-metrics") through the API server's service proxy.
/// </summary>
internal sealed class KubeStateMetrics(ClusterRuntime cluster)
{
    public const string Namespace = "kube-system", ServiceName = "kube-state-metrics", PortName = "http-metrics";
    public const int Port = 8080;

    public Task<LocalAnswer> Answer(string path, string query, CancellationToken ct)
    {
        _ = query;
        _ = ct;
        return Task.FromResult(path.TrimEnd('/') switch
        {
            "/metrics" => new LocalAnswer(200, TextExposition.ContentType, Render().ToBytes()),
            "/healthz" or "/livez" or "/readyz" => new LocalAnswer(200, "text/plain; charset=utf-8", "OK"u8.ToArray()),
            _ => new LocalAnswer(404, "text/plain; charset=utf-8", "404 page not found\n"u8.ToArray()),
        });
    }

    IReadOnlyList<JsonObject> List(string group, string resource) =>
        cluster.Registry.List(cluster.Type(group, resource), null, new ListOptions())["items"].Objects().ToList();

    internal TextExposition Render()
    {
        var text = new TextExposition();
        Pods(text, List("", "pods"));
        Deployments(text, List("apps", "deployments"));
        Nodes(text, List("", "nodes"));
        Quotas(text, List("", "resourcequotas"));
        Claims(text, List("", "persistentvolumeclaims"));
        Namespaces(text, List("", "namespaces"));
        return text;
    }

    static void Pods(TextExposition text, IReadOnlyList<JsonObject> pods)
    {
        text.Family("kube_pod_info", "gauge", "[STABLE] Information about pod.");
        foreach (var p in pods)
        {
            var owner = p.ControllerOf();
            text.Sample("kube_pod_info", 1, ("namespace", p.Namespace()), ("pod", p.Name()), ("uid", p.Uid()),
                ("host_ip", p.Str("status", "hostIP") ?? ""), ("pod_ip", p.Str("status", "podIP") ?? ""), ("node", p.Str("spec", "nodeName") ?? ""),
                ("created_by_kind", owner?.Str("kind") ?? "<none>"), ("created_by_name", owner?.Str("name") ?? "<none>"),
                ("priority_class", p.Str("spec", "priorityClassName") ?? ""), ("host_network", (p.Bool("spec", "hostNetwork") ?? false) ? "true" : "false"));
        }
        text.Family("kube_pod_status_phase", "gauge", "[STABLE] The pods current phase.");
        foreach (var p in pods)
            foreach (var phase in (string[])["Pending", "Succeeded", "Failed", "Unknown", "Running"])
                text.Sample("kube_pod_status_phase", (p.Str("status", "phase") ?? "Pending") == phase ? 1 : 0,
                    ("namespace", p.Namespace()), ("pod", p.Name()), ("uid", p.Uid()), ("phase", phase));

        var statuses = pods.SelectMany(p => p.At("status", "containerStatuses").Objects().Select(s => (Pod: p, Status: s))).ToList();
        text.Family("kube_pod_container_status_restarts_total", "counter", "[STABLE] The number of container restarts per container.");
        foreach (var (p, s) in statuses)
            text.Sample("kube_pod_container_status_restarts_total", s.Long("restartCount") ?? 0,
                ("namespace", p.Namespace()), ("pod", p.Name()), ("uid", p.Uid()), ("container", s.Str("name")));
        text.Family("kube_pod_container_status_ready", "gauge", "[STABLE] Describes whether the containers readiness check succeeded.");
        foreach (var (p, s) in statuses)
            text.Sample("kube_pod_container_status_ready", s.Bool("ready") == true ? 1 : 0,
                ("namespace", p.Namespace()), ("pod", p.Name()), ("uid", p.Uid()), ("container", s.Str("name")));
        text.Family("kube_pod_container_status_waiting_reason", "gauge", "[BETA] Describes the reason the container is currently in waiting state.");
        foreach (var (p, s) in statuses)
            if (s.Str("state", "waiting", "reason") is { } reason)
                text.Sample("kube_pod_container_status_waiting_reason", 1,
                    ("namespace", p.Namespace()), ("pod", p.Name()), ("uid", p.Uid()), ("container", s.Str("name")), ("reason", reason));

        foreach (var (metric, section, help) in new[]
        {
            ("kube_pod_container_resource_requests", "requests", "The number of requested request resource by a container."),
            ("kube_pod_container_resource_limits", "limits", "The number of requested limit resource by a container."),
        })
        {
            text.Family(metric, "gauge", help);
            foreach (var p in pods)
            {
                // Finished pods hold nothing: kube-state-metrics still reports them, so do we; queries filter on phase.
                foreach (var c in p.At("spec", "containers").Objects())
                    foreach (var (resource, value) in c.At("resources", section).StringMap())
                        text.Sample(metric, Amount(value), ("namespace", p.Namespace()), ("pod", p.Name()), ("uid", p.Uid()),
                            ("container", c.Str("name")), ("node", p.Str("spec", "nodeName") ?? ""), ("resource", Sanitize(resource)), ("unit", Unit(resource)));
            }
        }
    }

    static void Deployments(TextExposition text, IReadOnlyList<JsonObject> deployments)
    {
        foreach (var (metric, help, value) in new (string, string, Func<JsonObject, long>)[]
        {
            ("kube_deployment_spec_replicas", "[STABLE] Number of desired pods for a deployment.", d => d.Long("spec", "replicas") ?? 1),
            ("kube_deployment_status_replicas", "[STABLE] The number of replicas per deployment.", d => d.Long("status", "replicas") ?? 0),
            ("kube_deployment_status_replicas_available", "[STABLE] The number of available replicas per deployment.", d => d.Long("status", "availableReplicas") ?? 0),
            ("kube_deployment_status_replicas_unavailable", "[STABLE] The number of unavailable replicas per deployment.", d => d.Long("status", "unavailableReplicas") ?? 0),
            ("kube_deployment_status_replicas_updated", "[STABLE] The number of updated replicas per deployment.", d => d.Long("status", "updatedReplicas") ?? 0),
        })
        {
            text.Family(metric, "gauge", help);
            foreach (var d in deployments) text.Sample(metric, value(d), ("namespace", d.Namespace()), ("deployment", d.Name()));
        }
    }

    static void Nodes(TextExposition text, IReadOnlyList<JsonObject> nodes)
    {
        text.Family("kube_node_info", "gauge", "[STABLE] Information about a cluster node.");
        foreach (var n in nodes)
            text.Sample("kube_node_info", 1, ("node", n.Name()), ("kernel_version", n.Str("status", "nodeInfo", "kernelVersion")),
                ("os_image", n.Str("status", "nodeInfo", "osImage")), ("container_runtime_version", n.Str("status", "nodeInfo", "containerRuntimeVersion")),
                ("kubelet_version", n.Str("status", "nodeInfo", "kubeletVersion")), ("kubeproxy_version", "deprecated"),
                ("provider_id", n.Str("spec", "providerID") ?? ""), ("pod_cidr", n.Str("spec", "podCIDR") ?? ""), ("system_uuid", n.Str("status", "nodeInfo", "systemUUID")),
                ("internal_ip", n.At("status", "addresses").Objects().FirstOrDefault(a => a.Str("type") == "InternalIP")?.Str("address") ?? ""));
        text.Family("kube_node_status_condition", "gauge", "[STABLE] The condition of a cluster node.");
        foreach (var n in nodes)
            foreach (var condition in n.At("status", "conditions").Objects())
                foreach (var status in (string[])["true", "false", "unknown"])
                    text.Sample("kube_node_status_condition", string.Equals(condition.Str("status"), status, StringComparison.OrdinalIgnoreCase) ? 1 : 0,
                        ("node", n.Name()), ("condition", condition.Str("type")), ("status", status));
        text.Family("kube_node_spec_unschedulable", "gauge", "[STABLE] Whether a node can schedule new pods.");
        foreach (var n in nodes) text.Sample("kube_node_spec_unschedulable", n.Bool("spec", "unschedulable") == true ? 1 : 0, ("node", n.Name()));
        foreach (var (metric, field, help) in new[]
        {
            ("kube_node_status_capacity", "capacity", "[STABLE] The capacity for different resources of a node."),
            ("kube_node_status_allocatable", "allocatable", "[STABLE] The allocatable for different resources of a node that are available for scheduling."),
        })
        {
            text.Family(metric, "gauge", help);
            foreach (var n in nodes)
                foreach (var (resource, value) in n.At("status", field).StringMap())
                    text.Sample(metric, Amount(value), ("node", n.Name()), ("resource", Sanitize(resource)), ("unit", Unit(resource)));
        }
    }

    static void Quotas(TextExposition text, IReadOnlyList<JsonObject> quotas)
    {
        text.Family("kube_resourcequota", "gauge", "[STABLE] Information about resource quota.");
        foreach (var q in quotas)
            foreach (var type in (string[])["hard", "used"])
                foreach (var (resource, value) in q.At("status", type).StringMap())
                    text.Sample("kube_resourcequota", Amount(value),
                        ("namespace", q.Namespace()), ("resourcequota", q.Name()), ("resource", resource), ("type", type));
    }

    static void Claims(TextExposition text, IReadOnlyList<JsonObject> claims)
    {
        text.Family("kube_persistentvolumeclaim_info", "gauge", "[STABLE] Information about persistent volume claim.");
        foreach (var c in claims)
            text.Sample("kube_persistentvolumeclaim_info", 1, ("namespace", c.Namespace()), ("persistentvolumeclaim", c.Name()),
                ("storageclass", c.Str("spec", "storageClassName") ?? "<none>"), ("volumename", c.Str("spec", "volumeName") ?? ""),
                ("volumemode", c.Str("spec", "volumeMode") ?? "Filesystem"));
        text.Family("kube_persistentvolumeclaim_resource_requests_storage_bytes", "gauge",
            "[STABLE] The capacity of storage requested by the persistent volume claim.");
        foreach (var c in claims)
            text.Sample("kube_persistentvolumeclaim_resource_requests_storage_bytes",
                SimulatedWorkload.Quantity(c.Str("spec", "resources", "requests", "storage") ?? "0"),
                ("namespace", c.Namespace()), ("persistentvolumeclaim", c.Name()));
        text.Family("kube_persistentvolumeclaim_status_phase", "gauge", "[STABLE] The phase the persistent volume claim is currently in.");
        foreach (var c in claims)
            foreach (var phase in (string[])["Lost", "Bound", "Pending"])
                text.Sample("kube_persistentvolumeclaim_status_phase", (c.Str("status", "phase") ?? "Pending") == phase ? 1 : 0,
                    ("namespace", c.Namespace()), ("persistentvolumeclaim", c.Name()), ("phase", phase));
    }

    static void Namespaces(TextExposition text, IReadOnlyList<JsonObject> namespaces)
    {
        text.Family("kube_namespace_status_phase", "gauge", "[STABLE] kubernetes namespace status phase.");
        foreach (var n in namespaces)
            foreach (var phase in (string[])["Active", "Terminating"])
                text.Sample("kube_namespace_status_phase", (n.Str("status", "phase") ?? "Active") == phase ? 1 : 0, ("namespace", n.Name()), ("phase", phase));
    }

    /// <summary>kube-state-metrics' label spelling of a resource name: nvidia.com/gpu becomes nvidia_com_gpu.</summary>
    static string Sanitize(string resource) => resource.Replace('.', '_').Replace('/', '_').Replace('-', '_');

    static string Unit(string resource) => resource switch
    {
        "cpu" or "requests.cpu" or "limits.cpu" => "core",
        _ when resource.Contains("memory") || resource.Contains("storage") || resource.StartsWith("hugepages") => "byte",
        _ => "integer",
    };

    static double Amount(string value) => SimulatedWorkload.Quantity(value);
}
