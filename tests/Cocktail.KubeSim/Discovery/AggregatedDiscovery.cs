using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) for /api and /apis: one document with every
/// group, version and resource, which kubectl asks for first so it can skip the per-group-version requests.
/// </summary>
public static class AggregatedDiscovery
{
    public const string MediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    public static bool IsRequested(string accept) =>
        accept.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal) && accept.Contains("v=v2;", StringComparison.Ordinal);

    public static JsonObject Document(ResourceCatalog catalog, bool core)
    {
        var items = new JsonArray();
        var groups = core
            ? [("", (IReadOnlyList<string>)["v1"])]
            : catalog.Groups().Select(g => (g.Group, g.Versions)).ToList();
        foreach (var (group, versions) in groups)
        {
            var versionEntries = new JsonArray();
            foreach (var version in versions)
                versionEntries.Add(new JsonObject
                {
                    ["version"] = version,
                    ["resources"] = new JsonArray(catalog.All.Where(t => t.Group == group && t.Version == version)
                        .OrderBy(t => t.Resource, StringComparer.Ordinal).Select(t => (JsonNode)Resource(t)).ToArray()),
                    ["freshness"] = "Current",
                });
            items.Add(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = group, ["creationTimestamp"] = null },
                ["versions"] = versionEntries,
            });
        }
        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/v2",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    static JsonObject Resource(ResourceType type)
    {
        var entry = new JsonObject
        {
            ["resource"] = type.Resource,
            ["responseKind"] = Kind("", "", type.Kind),
            ["scope"] = type.Namespaced ? "Namespaced" : "Cluster",
            ["singularResource"] = type.SingularName,
            ["verbs"] = Strings(type.Verbs),
        };
        if (type.ShortNames.Count > 0) entry["shortNames"] = Strings(type.ShortNames);
        if (type.Categories.Count > 0) entry["categories"] = Strings(type.Categories);
        if (type.Subresources.Count > 0)
            entry["subresources"] = new JsonArray(type.Subresources.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => (JsonNode)new JsonObject
            {
                ["subresource"] = s.Name,
                ["responseKind"] = s.Group == type.Group && s.Version == type.Version ? Kind("", "", s.Kind) : Kind(s.Group, s.Version, s.Kind),
                ["verbs"] = Strings(s.Verbs),
            }).ToArray());
        return entry;
    }

    static JsonObject Kind(string group, string version, string kind) => new() { ["group"] = group, ["version"] = version, ["kind"] = kind };

    static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v!).ToArray());
}
