using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The simulated resource usage of running containers: a stable 20–70 % of each container's request (different
/// per container, constant over its life), or a little when it requests nothing. metrics.k8s.io and the HPA
/// controller both read it, so they agree.
/// </summary>
internal static class PodUsage
{
    public static (Quantity Cpu, Quantity Memory) Of(JsonObject pod, JsonObject container)
    {
        var seed = StableHash(pod.Uid() + container.Str("name"));
        var fraction = 0.2m + seed % 50 / 100m;
        var cpuRequest = Quantity.Parse(container.Str("resources", "requests", "cpu") ?? "10m");
        var memoryRequest = Quantity.Parse(container.Str("resources", "requests", "memory") ?? "32Mi");
        return (new Quantity(decimal.Round(cpuRequest.Value * fraction, 9), false),
                new Quantity(decimal.Round(memoryRequest.Value * fraction / 1024) * 1024, true));
    }

    /// <summary>FNV-1a: string.GetHashCode is randomised per process, usage must not be.</summary>
    static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) { hash ^= c; hash *= 16777619; }
        return hash;
    }
}
