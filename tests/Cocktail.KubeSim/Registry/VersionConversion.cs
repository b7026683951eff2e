using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Registry;

/// <summary>
/// Objects are stored in one version per group/resource; the few served versions whose schemas differ are
/// converted on the way in and out, as the apiserver converts to and from its storage version:
/// events.k8s.io/v1 ⇄ core/v1 Event, and autoscaling/v1 ⇄ autoscaling/v2 HorizontalPodAutoscaler.
/// </summary>
public static class VersionConversion
{
    public static bool Converts(ResourceType type) =>
        type.Group == "events.k8s.io" || (type.Group == "autoscaling" && type.Version == "v1" && type.Resource == "horizontalpodautoscalers");

    public static JsonObject ToServedVersion(ResourceType type, JsonObject stored) =>
        type.Group == "events.k8s.io" ? EventConversion.ToEventsV1(stored)
        : Converts(type) ? HorizontalPodAutoscalerToV1(stored) : stored;

    public static JsonObject ToStorageVersion(ResourceType type, JsonObject served) =>
        type.Group == "events.k8s.io" ? EventConversion.ToCoreV1(served)
        : Converts(type) ? HorizontalPodAutoscalerFromV1(served) : served;

    static JsonObject HorizontalPodAutoscalerToV1(JsonObject v2)
    {
        var spec = v2.Obj("spec");
        var cpu = spec["metrics"].Objects().FirstOrDefault(m => m.Str("resource", "name") == "cpu" && m.Str("resource", "target", "type") == "Utilization");
        spec.Remove("metrics");
        spec.Remove("behavior");
        if (cpu?.Long("resource", "target", "averageUtilization") is { } target) spec["targetCPUUtilizationPercentage"] = target;
        if (v2["status"] is JsonObject status)
        {
            var current = status["currentMetrics"].Objects().FirstOrDefault(m => m.Str("resource", "name") == "cpu");
            status.Remove("currentMetrics");
            status.Remove("conditions");
            if (current?.Long("resource", "current", "averageUtilization") is { } utilization) status["currentCPUUtilizationPercentage"] = utilization;
        }
        return v2;
    }

    static JsonObject HorizontalPodAutoscalerFromV1(JsonObject v1)
    {
        var spec = v1.Obj("spec");
        if (spec.Long("targetCPUUtilizationPercentage") is { } target)
            spec["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = target },
                },
            });
        spec.Remove("targetCPUUtilizationPercentage");
        if (v1["status"] is JsonObject status) status.Remove("currentCPUUtilizationPercentage");
        return v1;
    }
}
