using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Controllers;

/// <summary>Edits pod status the way the kubelet's status manager shapes it.</summary>
internal static class PodStatusWriter
{
    public static void SetCondition(JsonObject pod, string type, string status, string? reason, string? message, string now)
    {
        var conditions = pod.Obj("status").Arr("conditions");
        var existing = conditions.Objects().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }
        if (existing.Str("status") != status) existing["lastTransitionTime"] = now;
        existing["status"] = status;
        existing["lastProbeTime"] = null;
        if (reason is null) existing.Remove("reason"); else existing["reason"] = reason;
        if (message is null) existing.Remove("message"); else existing["message"] = message;
        // Keep the kubelet's order: PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled.
        string[] order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
        var sorted = conditions.Objects().OrderBy(c => Array.IndexOf(order, c.Str("type")) is var i && i < 0 ? 99 : i).Select(c => c.DeepClone()).ToArray();
        pod.Obj("status")["conditions"] = new JsonArray(sorted);
    }

    public static JsonObject ContainerStatus(JsonObject container, JsonObject state, bool ready, long restarts, bool started, JsonObject? lastState = null)
    {
        var image = container.Str("image") ?? "";
        var status = new JsonObject
        {
            ["name"] = container.Str("name"),
            ["state"] = state,
            ["lastState"] = lastState ?? new JsonObject(),
            ["ready"] = ready,
            ["restartCount"] = restarts,
            ["image"] = QualifiedImage(image),
            ["imageID"] = $"{QualifiedImage(image).Split(':')[0]}@sha256:{Hex(image, 64)}",
            ["started"] = started,
        };
        if (state["waiting"] is null) status["containerID"] = "containerd://" + Hex(container.Str("name") + image + restarts, 64);
        return status;
    }

    /// <summary>docker.io/library/nginx:1.27 as containerd reports short names.</summary>
    public static string QualifiedImage(string image)
    {
        var withTag = image.Contains(':') || image.Contains('@') ? image : image + ":latest";
        // Only a first component followed by a '/' can be a registry (nginx:1.27 is not one, for all its dot and colon).
        var first = withTag.Split('/')[0];
        if (withTag.Contains('/') && (first.Contains('.') || first.Contains(':') || first == "localhost")) return withTag;
        return withTag.Contains('/') ? "docker.io/" + withTag : "docker.io/library/" + withTag;
    }

    static string Hex(string seed, int length)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed));
        return Convert.ToHexString(hash).ToLowerInvariant()[..Math.Min(length, 64)];
    }
}
