using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// OpenAPI v3 documents for CRD group/versions, built from the CRDs' structural schemas as the apiextensions
/// apiserver publishes them, so kubectl can validate, explain and apply custom resources.
/// </summary>
internal static class CustomResourceOpenApi
{
    public static byte[] AddToIndex(byte[] builtInIndex, ResourceCatalog catalog)
    {
        var index = JsonNode.Parse(builtInIndex)!.AsObject();
        var paths = index.Obj("paths");
        foreach (var type in catalog.All.Where(catalog.IsCustom))
        {
            var path = $"apis/{type.Group}/{type.Version}";
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash=crd{Math.Abs(type.GetHashCode())}" };
        }
        return index.ToUtf8();
    }

    public static byte[]? Document(string path, ClusterRuntime cluster)
    {
        if (path.Split('/') is not ["apis", var group, var version]) return null;
        var types = cluster.Catalog.All.Where(t => t.Group == group && t.Version == version && cluster.Catalog.IsCustom(t)).ToList();
        if (types.Count == 0) return null;
        var schemas = new JsonObject
        {
            ["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
        };
        var paths = new JsonObject();
        var crdType = cluster.Type("apiextensions.k8s.io", "customresourcedefinitions");
        foreach (var type in types)
        {
            var crd = cluster.Registry.TryGet(crdType, "", $"{type.Resource}.{type.Group}");
            var versionSchema = crd?["spec"]?["versions"].Objects().FirstOrDefault(v => v.Str("name") == version)?.At("schema", "openAPIV3Schema")?.DeepClone() as JsonObject
                                ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            var properties = versionSchema.Obj("properties");
            properties["apiVersion"] = new JsonObject { ["type"] = "string" };
            properties["kind"] = new JsonObject { ["type"] = "string" };
            properties["metadata"] = new JsonObject { ["$ref"] = "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" };
            versionSchema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = group, ["kind"] = type.Kind, ["version"] = version });
            var schemaName = string.Join('.', group.Split('.').Reverse()) + $".{version}.{type.Kind}";
            schemas[schemaName] = versionSchema;
            var collection = type.Namespaced ? $"/apis/{group}/{version}/namespaces/{{namespace}}/{type.Resource}" : $"/apis/{group}/{version}/{type.Resource}";
            paths[collection + "/{name}"] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = group, ["kind"] = type.Kind, ["version"] = version },
                    ["parameters"] = new JsonArray(new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes CRD Swagger", ["version"] = "v0.1.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        }.ToUtf8();
    }
}
