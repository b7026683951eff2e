using System.Text.Json;

namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// Derives every built-in resource (kind, scope, verbs, subresources) from the OpenAPI paths, the same data the
/// apiserver generates them from, for the group/versions a default 1.35 cluster enables (GA versions only).
/// </summary>
public static class BuiltinResources
{
    static readonly Lazy<IReadOnlyList<ResourceType>> LazyAll = new(Load);

    public static IReadOnlyList<ResourceType> All => LazyAll.Value;

    /// <summary>Groups that exist in the documents but that a default cluster does not serve.</summary>
    static readonly HashSet<string> DisabledGroups = ["internal.apiserver.k8s.io", "storagemigration.k8s.io"];

    public static bool IsServedGroupVersion(string group, string version) =>
        !DisabledGroups.Contains(group) && !version.Contains("alpha") && !version.Contains("beta");

    static IReadOnlyList<ResourceType> Load()
    {
        var result = new List<ResourceType>();
        foreach (var (path, file) in OpenApiDocuments.FilesByPath)
        {
            var segments = path.Split('/');
            (string group, string version) = segments switch
            {
                ["api", var v] => ("", v),
                ["apis", var g, var v] => (g, v),
                _ => ("", ""),
            };
            if (version.Length == 0 || !IsServedGroupVersion(group, version)) continue;
            result.AddRange(ParseGroupVersion(file, group, version));
        }
        result.AddRange(MetricsResources());
        return result;
    }

    sealed class Draft
    {
        public string Kind = "";
        public bool Namespaced;
        public readonly SortedSet<string> Verbs = new(StringComparer.Ordinal);
        public readonly Dictionary<string, (string Group, string Version, string Kind, SortedSet<string> Verbs)> Subs = new();
    }

    static IEnumerable<ResourceType> ParseGroupVersion(string file, string group, string version)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var prefix = group.Length == 0 ? $"/api/{version}/" : $"/apis/{group}/{version}/";
        var drafts = new Dictionary<string, Draft>();
        foreach (var pathProperty in doc.RootElement.GetProperty("paths").EnumerateObject())
        {
            if (!pathProperty.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var rest = pathProperty.Name[prefix.Length..].Split('/');
            if (rest[0] == "watch") continue;
            var namespaced = rest.Length >= 3 && rest[0] == "namespaces" && rest[1] == "{namespace}";
            var local = namespaced ? rest[2..] : rest;
            if (local.Length == 0 || local[0].StartsWith('{')) continue;
            var resource = local[0];
            var isItem = local.Length >= 2 && local[1] == "{name}";
            var subresource = local.Length == 3 && isItem ? local[2] : null;
            if (local.Length > 3 || (local.Length == 2 && !isItem)) continue;

            var draft = drafts.TryGetValue(resource, out var d) ? d : drafts[resource] = new Draft();
            if (namespaced) draft.Namespaced = true;
            foreach (var operation in pathProperty.Value.EnumerateObject())
            {
                if (operation.Value.ValueKind != JsonValueKind.Object ||
                    !operation.Value.TryGetProperty("x-kubernetes-action", out var actionElement)) continue;
                var action = actionElement.GetString()!;
                var gvk = operation.Value.TryGetProperty("x-kubernetes-group-version-kind", out var g) ? g : default;
                var verbs = VerbsFor(action, operation.Name);
                if (subresource is not null)
                {
                    if (!draft.Subs.TryGetValue(subresource, out var sub))
                    {
                        sub = (gvk.ValueKind == JsonValueKind.Object ? gvk.GetProperty("group").GetString()! : group,
                               gvk.ValueKind == JsonValueKind.Object ? gvk.GetProperty("version").GetString()! : version,
                               gvk.ValueKind == JsonValueKind.Object ? gvk.GetProperty("kind").GetString()! : "",
                               new SortedSet<string>(StringComparer.Ordinal));
                        draft.Subs[subresource] = sub;
                    }
                    foreach (var v in verbs) sub.Verbs.Add(v);
                    continue;
                }
                foreach (var v in verbs) draft.Verbs.Add(v);
                if (action == "watchlist" || action == "list") draft.Verbs.Add("watch");
                if (gvk.ValueKind == JsonValueKind.Object && draft.Kind.Length == 0 && action is "get" or "post" or "put")
                    draft.Kind = gvk.GetProperty("kind").GetString()!;
            }
        }
        // Only GET /api/v1/pods style lists exist at the root for namespaced resources; a resource with no
        // kind found (e.g. only a list) keeps the list kind without its suffix.
        foreach (var (resource, draft) in drafts)
        {
            if (draft.Verbs.Count == 0) continue;
            if (draft.Kind.Length == 0) continue;
            // watch is served for everything that can be listed; the documents mark it on separate /watch paths.
            var subs = draft.Subs.ToDictionary(
                s => s.Key,
                s => new Subresource(s.Key, s.Value.Group, s.Value.Version, s.Value.Kind, s.Value.Verbs.ToArray()));
            yield return new ResourceType(group, version, resource, draft.Kind, draft.Namespaced, draft.Verbs.ToArray())
            {
                ShortNames = ResourceNaming.ShortNames(group, resource),
                Categories = ResourceNaming.Categories(group, resource),
                Subresources = subs,
            };
        }
    }

    static string[] VerbsFor(string action, string httpMethod) => action switch
    {
        "get" => ["get"],
        "list" => ["list"],
        "post" => ["create"],
        "put" => ["update"],
        "patch" => ["patch"],
        "delete" => ["delete"],
        "deletecollection" => ["deletecollection"],
        "connect" => httpMethod == "get" ? ["get"] : ["create"],
        _ => [],
    };

    /// <summary>metrics-server's aggregated API, which kubectl top and Cocktail read.</summary>
    static IEnumerable<ResourceType> MetricsResources()
    {
        yield return new ResourceType("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", false, ["get", "list"]);
        yield return new ResourceType("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", true, ["get", "list"]);
    }
}
