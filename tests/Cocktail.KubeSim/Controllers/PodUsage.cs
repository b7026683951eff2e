using System.Globalization;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The simulated resource usage of running containers: a stable 20–70 % of each container's request (different
/// per container, constant over its life), or a little when it requests nothing. Pod annotations set it instead,
/// so that tests are deterministic: <see cref="CpuAnnotation"/> and <see cref="MemoryAnnotation"/> are a fraction of
/// each container's limit (else its request), <see cref="GpuAnnotation"/> a GPU utilisation in percent and
/// <see cref="VolumeAnnotation"/> a fraction of each claimed volume's capacity. metrics.k8s.io, the HPA controller and
/// the Prometheus exposition (cAdvisor, kubelet, DCGM, node-exporter) all read it, so they agree.
/// </summary>
internal static class PodUsage
{
    public const string CpuAnnotation = "kubesim.cocktail.io/cpu-usage";
    public const string MemoryAnnotation = "kubesim.cocktail.io/memory-usage";
    public const string GpuAnnotation = "kubesim.cocktail.io/gpu-utilization";
    public const string VolumeAnnotation = "kubesim.cocktail.io/volume-usage";

    public static (Quantity Cpu, Quantity Memory) Of(JsonObject pod, JsonObject container)
    {
        var fraction = DefaultFraction(pod, container.Str("name") ?? "");
        var cpuRequest = Quantity.Parse(container.Str("resources", "requests", "cpu") ?? "10m");
        var memoryRequest = Quantity.Parse(container.Str("resources", "requests", "memory") ?? "32Mi");
        var cpu = Annotation(pod, CpuAnnotation) is { } cpuShare
            ? Quantity.Parse(container.Str("resources", "limits", "cpu") ?? container.Str("resources", "requests", "cpu") ?? "10m").Value * cpuShare
            : cpuRequest.Value * fraction;
        var memory = Annotation(pod, MemoryAnnotation) is { } memoryShare
            ? Quantity.Parse(container.Str("resources", "limits", "memory") ?? container.Str("resources", "requests", "memory") ?? "32Mi").Value * memoryShare
            : memoryRequest.Value * fraction;
        return (new Quantity(decimal.Round(cpu, 9), false), new Quantity(decimal.Round(memory / 1024) * 1024, true));
    }

    /// <summary>GPU utilisation in percent of a container that holds GPUs: the annotation, else a stable 10–60 %.</summary>
    public static double GpuUtilization(JsonObject pod, string container) =>
        Annotation(pod, GpuAnnotation) is { } percent ? (double)Math.Clamp(percent, 0, 100) : 10 + StableHash(pod.Uid() + container + "gpu") % 51;

    /// <summary>The used share of a claimed volume: the annotation, else a stable 10–60 %.</summary>
    public static double VolumeFraction(JsonObject pod, string claim) =>
        Annotation(pod, VolumeAnnotation) is { } share ? (double)Math.Clamp(share, 0, 1) : (10 + StableHash(pod.Uid() + claim) % 51) / 100.0;

    static decimal DefaultFraction(JsonObject pod, string container) => 0.2m + StableHash(pod.Uid() + container) % 50 / 100m;

    static decimal? Annotation(JsonObject pod, string name) =>
        pod.Str("metadata", "annotations", name) is { } text && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : null;

    /// <summary>FNV-1a: string.GetHashCode is randomised per process, usage must not be.</summary>
    public static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) { hash ^= c; hash *= 16777619; }
        return hash;
    }
}
