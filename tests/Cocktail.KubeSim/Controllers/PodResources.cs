using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Controllers;

/// <summary>Resource arithmetic on pod specs, as the scheduler and quota evaluator compute it.</summary>
internal static class PodResources
{
    /// <summary>Effective requests: the sum over containers, or the largest init container if bigger (per resource).</summary>
    public static Dictionary<string, Quantity> Requests(JsonObject pod) => Effective(pod, "requests");

    public static Dictionary<string, Quantity> Limits(JsonObject pod) => Effective(pod, "limits");

    static Dictionary<string, Quantity> Effective(JsonObject pod, string kind)
    {
        var sum = new Dictionary<string, Quantity>();
        foreach (var c in pod.At("spec", "containers").Objects())
            foreach (var (name, value) in c.At("resources", kind).StringMap())
                sum[name] = sum.GetValueOrDefault(name, Quantity.Zero) + Quantity.Parse(value);
        foreach (var c in pod.At("spec", "initContainers").Objects())
            foreach (var (name, value) in c.At("resources", kind).StringMap())
            {
                var q = Quantity.Parse(value);
                if (q.Value > sum.GetValueOrDefault(name, Quantity.Zero).Value) sum[name] = q;
            }
        return sum;
    }

    public static bool IsTerminal(JsonObject pod) => pod.Str("status", "phase") is "Succeeded" or "Failed";

    public static bool IsReady(JsonObject pod) =>
        pod.At("status", "conditions").Objects().Any(c => c.Str("type") == "Ready" && c.Str("status") == "True");
}
