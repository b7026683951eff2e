using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cocktail.Application.ImageScanning.Gating;

/// <summary>The parts of an <c>admission.k8s.io/v1</c> AdmissionReview request the image gate reads.</summary>
public sealed record AdmissionQuestion(string Uid, string Kind, string Namespace, string Name, string Operation,
    IReadOnlyList<string> Images, IReadOnlyList<string> PreviousImages);

/// <summary>
/// Reads AdmissionReview requests and writes their responses. The API server sends the whole object (a Pod, or a
/// Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob with its pod template); the images are those of its
/// containers, init containers and ephemeral containers.
/// </summary>
public static class AdmissionReviews
{
    public const string ApiVersion = "admission.k8s.io/v1";
    public const string Kind = "AdmissionReview";

    /// <summary>The kinds whose pods the gate judges, and the resources the webhook's rules name.</summary>
    public static readonly IReadOnlyList<(string Group, string Resource, string Kind)> Judged =
    [
        ("", "pods", "Pod"), ("apps", "deployments", "Deployment"), ("apps", "statefulsets", "StatefulSet"), ("apps", "daemonsets", "DaemonSet"),
        ("apps", "replicasets", "ReplicaSet"), ("batch", "jobs", "Job"), ("batch", "cronjobs", "CronJob"),
    ];

    /// <summary>Deeper than any object Kubernetes stores (the apiserver limits nesting too); beyond it the review is refused.</summary>
    public const int MaxDepth = 64;
    private const int MaxImages = 1000;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>The question, or the reason the body is no AdmissionReview v1 the gate can answer (a 400).</summary>
    public static (AdmissionQuestion? Question, string? Problem, string? Field) Read(ReadOnlyMemory<byte> body)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(body.Span, documentOptions: Options); }
        catch (JsonException e) { return (null, $"The body is not JSON: {e.Message}", "body"); }
        if (root is not JsonObject review) return (null, "The body is not an AdmissionReview object.", "body");
        var apiVersion = Text(review["apiVersion"]);
        if (apiVersion != ApiVersion || Text(review["kind"]) != Kind)
            return (null, $"Only {Kind} {ApiVersion} is answered (got {Cut(apiVersion ?? "no apiVersion")}); list v1 in the webhook's admissionReviewVersions.", "apiVersion");
        if (review["request"] is not JsonObject request) return (null, "The AdmissionReview has no request.", "request");
        if (Text(request["uid"]) is not { Length: > 0 } uid) return (null, "The request has no uid.", "request.uid");
        var operation = Text(request["operation"]) ?? "";
        var kind = Text(request["kind"]?["kind"]) ?? "";
        var ns = Text(request["namespace"]) ?? "";
        var obj = request["object"] as JsonObject;
        if (obj is null && operation is "CREATE" or "UPDATE") return (null, "The request has no object.", "request.object");
        var name = Text(request["name"]) is { Length: > 0 } n ? n : Text(obj?["metadata"]?["name"]) ?? Text(obj?["metadata"]?["generateName"]) ?? "";
        var subResource = Text(request["subResource"]) ?? "";
        var images = ImagesOf(kind, subResource, obj);
        var previous = ImagesOf(kind, subResource, request["oldObject"] as JsonObject);
        if (images.Count > MaxImages) return (null, $"The object names more than {MaxImages} images.", "request.object");
        return (new AdmissionQuestion(uid, kind, ns, name, operation, images, previous), null, null);
    }

    /// <summary>Every image the object's pods would run, in order, once each.</summary>
    public static IReadOnlyList<string> ImagesOf(string kind, string subResource, JsonObject? obj)
    {
        if (obj is null) return [];
        var podSpec = kind switch
        {
            "Pod" => obj["spec"],
            "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" or "ReplicationController" => obj["spec"]?["template"]?["spec"],
            "CronJob" => obj["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"],
            _ => null,
        };
        if (podSpec is not JsonObject spec || subResource is not ("" or "ephemeralcontainers")) return [];
        var images = new List<string>();
        foreach (var list in new[] { "initContainers", "containers", "ephemeralContainers" })
            if (spec[list] is JsonArray containers)
                foreach (var container in containers)
                    if (Text(container?["image"]) is { Length: > 0 } image && !images.Contains(image)) images.Add(image);
        return images;
    }

    public static string Allow(string uid) =>
        new JsonObject { ["apiVersion"] = ApiVersion, ["kind"] = Kind, ["response"] = new JsonObject { ["uid"] = uid, ["allowed"] = true } }.ToJsonString();

    public static string Deny(string uid, string message) => new JsonObject
    {
        ["apiVersion"] = ApiVersion, ["kind"] = Kind,
        ["response"] = new JsonObject
        {
            ["uid"] = uid, ["allowed"] = false,
            ["status"] = new JsonObject { ["code"] = 403, ["reason"] = "Forbidden", ["message"] = message },
        },
    }.ToJsonString();

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string Cut(string text) => text.Length <= 80 ? text : text[..79] + "…";
}
