using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Patch;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// PATCH in its four media types: JSON patch, merge patch, strategic merge patch (built-in kinds only, as on a real
/// server) and server-side apply, which may also create the object.
/// </summary>
internal sealed class PatchEndpoint(ClusterRuntime cluster)
{
    public const string JsonPatchType = "application/json-patch+json";
    public const string MergePatchType = "application/merge-patch+json";
    public const string StrategicPatchType = "application/strategic-merge-patch+json";
    public const string ApplyPatchType = "application/apply-patch+yaml";

    public async Task Serve(Exchange exchange, ResourceType type, string subresource)
    {
        var http = exchange.Http;
        var info = exchange.Info!;
        var contentType = (http.Request.ContentType ?? "").Split(';')[0].Trim();
        var text = await RequestBody.ReadText(http);
        var patch = RequestBody.Parse(text, contentType) ?? throw ApiException.BadRequest("the body of the request was empty");
        exchange.RequestObject = patch;
        var options = QueryOptions.Write(http, exchange.User!);
        var registry = cluster.Registry;
        if (contentType is ApplyPatchType or "application/apply-patch+cbor")
        {
            await exchange.Respond(200, Apply(type, info, patch as JsonObject ?? throw ApiException.BadRequest("apply patch must be an object"), options, subresource, out var created));
            if (created) exchange.Code = 201;
            return;
        }
        Func<JsonObject, JsonObject> mutate = contentType switch
        {
            JsonPatchType => current => JsonPatch.Apply(current, patch as JsonArray ?? throw ApiException.BadRequest("json patch must be an array")) as JsonObject
                                        ?? throw ApiException.BadRequest("json patch produced a non-object"),
            MergePatchType => current => JsonMergePatch.Apply(current, patch) as JsonObject ?? throw ApiException.BadRequest("merge patch produced a non-object"),
            StrategicPatchType when cluster.Catalog.IsCustom(type) => throw ApiException.UnsupportedMediaType(contentType),
            StrategicPatchType => current => StrategicMergePatch.Apply(current, patch as JsonObject ?? throw ApiException.BadRequest("strategic merge patch must be an object")),
            _ => throw ApiException.UnsupportedMediaType(contentType),
        };
        var result = registry.Mutate(type, info.Namespace, info.Name, options, subresource, current =>
        {
            var rvBefore = current.Str("metadata", "resourceVersion");
            var patched = mutate(current);
            // A patch only carries a precondition when it sets resourceVersion itself.
            if (patched.Str("metadata", "resourceVersion") == rvBefore) patched.Meta().Remove("resourceVersion");
            return patched;
        });
        await exchange.Respond(200, result);
    }

    JsonObject Apply(ResourceType type, RequestInfo info, JsonObject applied, WriteOptions options, string subresource, out bool created)
    {
        if (options.FieldManager is null)
            throw ApiException.Invalid("meta.k8s.io", "PatchOptions", "", [FieldError.Required("fieldManager", "is required for apply patch")]);
        if (applied.Str("apiVersion") is null || applied.Str("kind") is null)
            throw ApiException.BadRequest("invalid object type: /, Kind=");
        if (applied.Str("metadata", "name") is { } bodyName && bodyName != info.Name)
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({info.Name})");
        var registry = cluster.Registry;
        // Apply converts the patch to the type's schema (structured-merge-diff) before anything else, so undeclared
        // fields always fail it, whatever fieldValidation says. The apiserver returns that conversion error as a plain
        // error: a 500 without a reason (kubernetes/kubernetes#122480, #139253).
        // (A patch of another kind fails the type-meta checks instead.)
        if (applied.Str("apiVersion") == type.GroupVersion && applied.Str("kind") == type.Kind
            && registry.UndeclaredFields(type, applied) is { Count: > 0 } undeclared)
        {
            var errors = undeclared.Select(u => $".{u}: field not declared in schema").ToList();
            var described = errors.Count == 1 ? errors[0] : string.Join("\n", ["errors:", .. errors.Select(e => "  " + e)]);
            var gvk = $"{type.Group}/{type.Version}, Kind={type.Kind}";
            throw ApiException.Unmapped($"failed to create typed patch object ({applied.Str("metadata", "namespace")}/{applied.Str("metadata", "name")}; {gvk}): {described}");
        }
        var now = ObjectMetadata.Timestamp(cluster.Time.GetUtcNow());
        lock (registry.Store.Gate)
        {
            var existing = registry.TryGet(type, info.Namespace, info.Name);
            var manager = options.FieldManager;
            var tracked = options with { TrackFields = false };
            if (existing is null)
            {
                created = true;
                var fresh = ManagedFields.Apply(null, applied, manager, type.GroupVersion, subresource, options.Force, now);
                fresh.Meta()["name"] = info.Name;
                return registry.Create(type, info.Namespace, ObjectMetadata.WithTypeMeta(fresh, type.Kind, type.GroupVersion), tracked);
            }
            created = false;
            return registry.Mutate(type, info.Namespace, info.Name, tracked, subresource, current =>
            {
                var merged = ManagedFields.Apply(current, applied, manager, type.GroupVersion, subresource, options.Force, now);
                if (applied.Str("metadata", "resourceVersion") is null) merged.Meta().Remove("resourceVersion");
                return merged;
            });
        }
    }
}
