using System.Globalization;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Controllers;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Metrics;

/// <summary>A running container as the exporters see it: its pod, its status and its simulated usage.</summary>
internal sealed record RunningContainer(
    JsonObject Pod, JsonObject Spec, string Name, string ContainerId, string Image, DateTimeOffset StartedAt, double CpuCores, double MemoryBytes)
{
    public string Namespace => Pod.Namespace();
    public string PodName => Pod.Name();
    public string PodUid => Pod.Uid();
    public string PodCgroup => $"/kubepods/burstable/pod{PodUid}";
    public string Cgroup => $"{PodCgroup}/{ContainerId}";
}

/// <summary>What the cluster runs right now, read once per scrape: nodes, running pods and their containers, claims.</summary>
internal sealed class SimulatedWorkload
{
    /// <summary>What a node's system (kubelet, runtime, OS) uses besides its pods, as metrics.k8s.io counts it.</summary>
    public const double SystemCpuCores = 0.15;
    public const double SystemMemoryBytes = 900.0 * 1024 * 1024;

    SimulatedWorkload(ClusterRuntime cluster)
    {
        var registry = cluster.Registry;
        Nodes = registry.List(cluster.Type("", "nodes"), null, new ListOptions())["items"].Objects().ToList();
        Pods = registry.List(cluster.Type("", "pods"), null, new ListOptions())["items"].Objects().ToList();
        Claims = registry.List(cluster.Type("", "persistentvolumeclaims"), null, new ListOptions())["items"].Objects()
            .ToDictionary(c => (c.Namespace(), c.Name()));
        Running = Pods.Where(p => p.Str("status", "phase") == "Running").SelectMany(Containers).ToList();
    }

    public static SimulatedWorkload Read(ClusterRuntime cluster) => new(cluster);

    public IReadOnlyList<JsonObject> Nodes { get; }
    public IReadOnlyList<JsonObject> Pods { get; }
    public IReadOnlyDictionary<(string Ns, string Name), JsonObject> Claims { get; }
    public IReadOnlyList<RunningContainer> Running { get; }

    public IEnumerable<RunningContainer> On(string node) => Running.Where(c => c.Pod.Str("spec", "nodeName") == node);

    public IEnumerable<JsonObject> PodsOn(string node) =>
        Pods.Where(p => p.Str("spec", "nodeName") == node && p.Str("status", "phase") == "Running");

    public (double Cpu, double Memory) NodeUsage(string node)
    {
        var containers = On(node).ToList();
        return (SystemCpuCores + containers.Sum(c => c.CpuCores), SystemMemoryBytes + containers.Sum(c => c.MemoryBytes));
    }

    static IEnumerable<RunningContainer> Containers(JsonObject pod)
    {
        var statuses = pod.At("status", "containerStatuses").Objects().ToDictionary(s => s.Str("name") ?? "");
        foreach (var spec in pod.At("spec", "containers").Objects())
        {
            var name = spec.Str("name") ?? "";
            if (!statuses.TryGetValue(name, out var status) || status.Str("state", "running", "startedAt") is not { } started) continue;
            var (cpu, memory) = PodUsage.Of(pod, spec);
            var id = (status.Str("containerID") ?? "").Replace("containerd://", "");
            yield return new RunningContainer(pod, spec, name, id, PodStatusWriter.QualifiedImage(spec.Str("image") ?? ""),
                Time(started), (double)cpu.Value, (double)memory.Value);
        }
    }

    public static DateTimeOffset Time(string? timestamp) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.UnixEpoch;

    public static double Quantity(string? text) => (double)Json.Quantity.Parse(text).Value;

    /// <summary>A stable figure between <paramref name="min"/> and <paramref name="max"/> for a key.</summary>
    public static double Stable(string key, double min, double max) => min + PodUsage.StableHash(key) % 10_000 / 10_000.0 * (max - min);
}
