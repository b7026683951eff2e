using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Controllers;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Metrics;
using Cocktail.KubeSim.Proxy;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// What a node serves through <c>nodes/{name[:port]}/proxy/...</c>: the kubelet (10250: <c>/metrics</c> with volume
/// stats, <c>/metrics/cadvisor</c> with container usage, <c>/healthz</c>), node-exporter (9100) and, on nodes with
/// NVIDIA GPUs, NVIDIA's dcgm-exporter (9400). Series names and labels are the real exporters'; values follow the
/// simulation (<see cref="PodUsage"/>), counters grow with time.
/// </summary>
internal sealed class NodeExposition(ClusterRuntime cluster)
{
    public const int KubeletPort = 10250, NodeExporterPort = 9100, DcgmPort = 9400;

    /// <summary>What dcgm-exporter reports for the simulated GPUs (an A100 40 GB).</summary>
    public const string GpuModel = "NVIDIA A100-SXM4-40GB";
    public const double GpuMemoryMiB = 40960;
    const string DriverVersion = "550.90.07";

    readonly CounterBank _counters = new(cluster.Time);

    public Task<LocalAnswer> Answer(string node, int port, string path, CancellationToken ct)
    {
        _ = ct;
        var workload = SimulatedWorkload.Read(cluster);
        var nodeObject = workload.Nodes.First(n => n.Name() == node);
        var gpus = (int)SimulatedWorkload.Quantity(nodeObject.Str("status", "capacity", "nvidia.com/gpu"));
        if (port is not (KubeletPort or NodeExporterPort or DcgmPort) || port == DcgmPort && gpus == 0)
            // Nothing listens there (dcgm-exporter runs on GPU nodes only): the API server's dial fails.
            throw ApiException.ServiceUnavailable(
                $"error trying to reach service: dial tcp {InternalIp(nodeObject)}:{port}: connect: connection refused");
        return Task.FromResult((port, path.TrimEnd('/')) switch
        {
            (KubeletPort, "/metrics") => Metrics(Kubelet(workload, node)),
            (KubeletPort, "/metrics/cadvisor") => Metrics(Cadvisor(workload, nodeObject)),
            (KubeletPort, "/healthz") => Text(200, "ok"),
            (NodeExporterPort, "/metrics") => Metrics(NodeExporter(workload, nodeObject)),
            (DcgmPort, "/metrics") => Metrics(Dcgm(workload, node, gpus)),
            _ => Text(404, "404 page not found"),
        });
    }

    static LocalAnswer Metrics(TextExposition text) => new(200, TextExposition.ContentType, text.ToBytes());

    static LocalAnswer Text(int status, string body) => new(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(body + "\n"));

    static string InternalIp(JsonObject node) =>
        node.At("status", "addresses").Objects().FirstOrDefault(a => a.Str("type") == "InternalIP")?.Str("address") ?? "10.0.0.1";

    TextExposition Kubelet(SimulatedWorkload workload, string node)
    {
        var text = new TextExposition();
        text.Family("kubelet_node_name", "gauge", "[ALPHA] The node's name. The count is always 1.")
            .Sample("kubelet_node_name", 1, ("node", node));
        var pods = workload.PodsOn(node).ToList();
        text.Family("kubelet_running_pods", "gauge", "[ALPHA] Number of pods that have a running pod sandbox")
            .Sample("kubelet_running_pods", pods.Count);
        text.Family("kubelet_running_containers", "gauge", "[ALPHA] Number of containers currently running")
            .Sample("kubelet_running_containers", workload.On(node).Count(), ("container_state", "running"));

        var volumes = new List<(string Ns, string Claim, double Capacity, double Used)>();
        foreach (var pod in pods)
            foreach (var volume in pod.At("spec", "volumes").Objects())
            {
                if (volume.Str("persistentVolumeClaim", "claimName") is not { } claimName) continue;
                var claim = workload.Claims.GetValueOrDefault((pod.Namespace(), claimName));
                var capacity = SimulatedWorkload.Quantity(claim?.Str("status", "capacity", "storage") ?? claim?.Str("spec", "resources", "requests", "storage") ?? "1Gi");
                volumes.Add((pod.Namespace(), claimName, capacity, Math.Round(capacity * PodUsage.VolumeFraction(pod, claimName))));
            }
        volumes = volumes.DistinctBy(v => (v.Ns, v.Claim)).ToList();
        text.Family("kubelet_volume_stats_capacity_bytes", "gauge", "[ALPHA] Capacity in bytes of the volume");
        foreach (var v in volumes) text.Sample("kubelet_volume_stats_capacity_bytes", v.Capacity, ("namespace", v.Ns), ("persistentvolumeclaim", v.Claim));
        text.Family("kubelet_volume_stats_available_bytes", "gauge", "[ALPHA] Number of available bytes in the volume");
        foreach (var v in volumes) text.Sample("kubelet_volume_stats_available_bytes", v.Capacity - v.Used, ("namespace", v.Ns), ("persistentvolumeclaim", v.Claim));
        text.Family("kubelet_volume_stats_used_bytes", "gauge", "[ALPHA] Number of used bytes in the volume");
        foreach (var v in volumes) text.Sample("kubelet_volume_stats_used_bytes", v.Used, ("namespace", v.Ns), ("persistentvolumeclaim", v.Claim));
        return text;
    }

    TextExposition Cadvisor(SimulatedWorkload workload, JsonObject node)
    {
        var name = node.Name();
        var containers = workload.On(name).ToList();
        var pods = containers.GroupBy(c => c.PodUid).ToList();
        var (nodeCpu, nodeMemory) = workload.NodeUsage(name);
        var nodeStart = SimulatedWorkload.Time(node.Str("metadata", "creationTimestamp"));
        var text = new TextExposition();

        text.Family("container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds.");
        text.Sample("container_cpu_usage_seconds_total", _counters.Advance($"cpu/{name}/", nodeCpu, nodeStart), ("container", ""), ("cpu", "total"), ("id", "/"),
            ("image", ""), ("name", ""), ("namespace", ""), ("pod", ""));
        foreach (var pod in pods)
        {
            var first = pod.First();
            text.Sample("container_cpu_usage_seconds_total", _counters.Advance($"cpu/{first.PodCgroup}", pod.Sum(c => c.CpuCores), pod.Min(c => c.StartedAt)),
                ("container", ""), ("cpu", "total"), ("id", first.PodCgroup), ("image", ""), ("name", ""), ("namespace", first.Namespace), ("pod", first.PodName));
        }
        foreach (var c in containers)
            text.Sample("container_cpu_usage_seconds_total", _counters.Advance($"cpu/{c.Cgroup}", c.CpuCores, c.StartedAt),
                ("container", c.Name), ("cpu", "total"), ("id", c.Cgroup), ("image", c.Image), ("name", c.ContainerId), ("namespace", c.Namespace), ("pod", c.PodName));

        text.Family("container_memory_working_set_bytes", "gauge", "Current working set in bytes.");
        text.Sample("container_memory_working_set_bytes", nodeMemory, ("container", ""), ("id", "/"), ("image", ""), ("name", ""), ("namespace", ""), ("pod", ""));
        foreach (var pod in pods)
        {
            var first = pod.First();
            text.Sample("container_memory_working_set_bytes", pod.Sum(c => c.MemoryBytes),
                ("container", ""), ("id", first.PodCgroup), ("image", ""), ("name", ""), ("namespace", first.Namespace), ("pod", first.PodName));
        }
        foreach (var c in containers)
            text.Sample("container_memory_working_set_bytes", c.MemoryBytes,
                ("container", c.Name), ("id", c.Cgroup), ("image", c.Image), ("name", c.ContainerId), ("namespace", c.Namespace), ("pod", c.PodName));

        // Network is the pod sandbox's: cAdvisor reports it on the pod cgroup, per interface.
        foreach (var (metric, help, direction) in new[]
        {
            ("container_network_receive_bytes_total", "Cumulative count of bytes received", "rx"),
            ("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", "tx"),
        })
        {
            text.Family(metric, "counter", help);
            foreach (var pod in pods)
            {
                var first = pod.First();
                var rate = SimulatedWorkload.Stable(first.PodUid + direction, 2_000, 60_000);
                text.Sample(metric, Math.Round(_counters.Advance($"{direction}/{first.PodCgroup}", rate, pod.Min(c => c.StartedAt))),
                    ("container", ""), ("id", first.PodCgroup), ("image", ""), ("interface", "eth0"), ("name", ""), ("namespace", first.Namespace), ("pod", first.PodName));
            }
        }

        text.Family("container_fs_usage_bytes", "gauge", "Number of bytes that are consumed by the container on this filesystem.");
        foreach (var c in containers)
            text.Sample("container_fs_usage_bytes", Math.Round(SimulatedWorkload.Stable(c.Cgroup + "fs", 4, 200)) * 1024 * 1024,
                ("container", c.Name), ("device", "/dev/vda1"), ("id", c.Cgroup), ("image", c.Image), ("name", c.ContainerId), ("namespace", c.Namespace), ("pod", c.PodName));

        text.Family("container_spec_memory_limit_bytes", "gauge", "Memory limit for the container.");
        foreach (var c in containers)
            text.Sample("container_spec_memory_limit_bytes", SimulatedWorkload.Quantity(c.Spec.Str("resources", "limits", "memory") ?? "0"),
                ("container", c.Name), ("id", c.Cgroup), ("image", c.Image), ("name", c.ContainerId), ("namespace", c.Namespace), ("pod", c.PodName));
        return text;
    }

    TextExposition NodeExporter(SimulatedWorkload workload, JsonObject node)
    {
        var name = node.Name();
        var cores = Math.Max(1, (int)Math.Ceiling(SimulatedWorkload.Quantity(node.Str("status", "capacity", "cpu"))));
        var (cpu, memory) = workload.NodeUsage(name);
        var busy = Math.Min(1, cpu / cores);
        var start = SimulatedWorkload.Time(node.Str("metadata", "creationTimestamp"));
        var text = new TextExposition();
        text.Family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
        for (var i = 0; i < cores; i++)
            foreach (var (mode, share) in new[] { ("idle", 1 - busy), ("system", busy * 0.2), ("user", busy * 0.8) })
                text.Sample("node_cpu_seconds_total", _counters.Advance($"node/{name}/{i}/{mode}", share, start), ("cpu", i.ToString()), ("mode", mode));
        text.Family("node_load1", "gauge", "1m load average.").Sample("node_load1", Math.Round(cpu, 2));
        var total = SimulatedWorkload.Quantity(node.Str("status", "capacity", "memory"));
        text.Family("node_memory_MemTotal_bytes", "gauge", "Memory information field MemTotal_bytes.").Sample("node_memory_MemTotal_bytes", total);
        text.Family("node_memory_MemAvailable_bytes", "gauge", "Memory information field MemAvailable_bytes.")
            .Sample("node_memory_MemAvailable_bytes", Math.Max(0, total - memory));
        var disk = SimulatedWorkload.Quantity(node.Str("status", "capacity", "ephemeral-storage") ?? "100Gi");
        var used = 8.0 * 1024 * 1024 * 1024 + workload.On(name).Sum(c => Math.Round(SimulatedWorkload.Stable(c.Cgroup + "fs", 4, 200)) * 1024 * 1024);
        (string, string?)[] root = [("device", "/dev/vda1"), ("fstype", "ext4"), ("mountpoint", "/")];
        text.Family("node_filesystem_size_bytes", "gauge", "Filesystem size in bytes.").Sample("node_filesystem_size_bytes", disk, root);
        text.Family("node_filesystem_avail_bytes", "gauge", "Filesystem space available to non-root users in bytes.")
            .Sample("node_filesystem_avail_bytes", Math.Max(0, disk - used), root);
        var pods = workload.On(name).Select(c => c.PodUid).Distinct().ToList();
        foreach (var (metric, direction) in new[] { ("node_network_receive_bytes_total", "rx"), ("node_network_transmit_bytes_total", "tx") })
        {
            var rate = 1_000 + pods.Sum(uid => SimulatedWorkload.Stable(uid + direction, 2_000, 60_000));
            text.Family(metric, "counter", $"Network device statistic {metric[13..^12]}_bytes.")
                .Sample(metric, Math.Round(_counters.Advance($"node/{name}/{direction}", rate, start)), ("device", "eth0"));
        }
        return text;
    }

    /// <summary>
    /// dcgm-exporter: one series per GPU, with the pod, namespace and container holding it (from the kubelet's
    /// pod-resources API) on GPUs a pod was given; GPUs go to the node's pods in name order, as many as each asks for.
    /// </summary>
    TextExposition Dcgm(SimulatedWorkload workload, string node, int gpus)
    {
        var holders = new List<(JsonObject Pod, string Container)?>();
        foreach (var pod in workload.PodsOn(node).OrderBy(p => p.Namespace()).ThenBy(p => p.Name()))
            foreach (var c in pod.At("spec", "containers").Objects())
            {
                var count = (int)SimulatedWorkload.Quantity(c.Str("resources", "limits", "nvidia.com/gpu") ?? c.Str("resources", "requests", "nvidia.com/gpu") ?? "0");
                for (var i = 0; i < count; i++) holders.Add((pod, c.Str("name") ?? ""));
            }
        var rows = Enumerable.Range(0, gpus).Select(i =>
        {
            var holder = i < holders.Count ? holders[i] : null;
            var utilization = holder is { } h ? PodUsage.GpuUtilization(h.Pod, h.Container) : 0;
            var fbUsed = holder is null ? 0 : Math.Round(GpuMemoryMiB * Math.Min(1, 0.1 + utilization / 100 * 0.8));
            var uuid = "GPU-" + new Guid(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(node + "/" + i)));
            (string, string?)[] labels =
            [
                ("gpu", i.ToString()), ("UUID", uuid), ("pci_bus_id", $"00000000:{0x10 + i:X2}:00.0"), ("device", $"nvidia{i}"),
                ("modelName", GpuModel), ("Hostname", node), ("DCGM_FI_DRIVER_VERSION", DriverVersion),
                ("container", holder?.Container), ("namespace", holder?.Pod.Namespace()), ("pod", holder?.Pod.Name()),
            ];
            return (labels, utilization, fbUsed);
        }).ToList();
        var text = new TextExposition();
        text.Family("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %).");
        foreach (var (labels, utilization, _) in rows) text.Sample("DCGM_FI_DEV_GPU_UTIL", utilization, labels);
        text.Family("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB).");
        foreach (var (labels, _, used) in rows) text.Sample("DCGM_FI_DEV_FB_USED", used, labels);
        text.Family("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB).");
        foreach (var (labels, _, used) in rows) text.Sample("DCGM_FI_DEV_FB_FREE", GpuMemoryMiB - used, labels);
        text.Family("DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C).");
        foreach (var (labels, utilization, _) in rows) text.Sample("DCGM_FI_DEV_GPU_TEMP", Math.Round(32 + utilization * 0.4), labels);
        text.Family("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W).");
        foreach (var (labels, utilization, _) in rows) text.Sample("DCGM_FI_DEV_POWER_USAGE", Math.Round(55 + utilization * 3.4, 3), labels);
        return text;
    }
}
