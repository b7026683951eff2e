using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Rbac;

/// <summary>One rbac/v1 PolicyRule with the matching rules of k8s.io/kubernetes/pkg/apis/rbac/v1/evaluation_helpers.go.</summary>
public sealed record PolicyRule(
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> Resources,
    IReadOnlyList<string> ResourceNames,
    IReadOnlyList<string> NonResourceUrls)
{
    public static PolicyRule FromJson(JsonObject rule) => new(
        Strings(rule["verbs"]), Strings(rule["apiGroups"]), Strings(rule["resources"]),
        Strings(rule["resourceNames"]), Strings(rule["nonResourceURLs"]));

    static string[] Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(v => v?.GetValue<string>() ?? "").ToArray() : [];

    public bool Allows(AuthorizationAttributes a)
    {
        if (!VerbMatches(a.Verb)) return false;
        if (!a.IsResourceRequest) return NonResourceUrlMatches(a.Path);
        return ApiGroups.Any(g => g == "*" || g == a.ApiGroup)
            && ResourceMatches(a.Resource, a.Subresource)
            && (ResourceNames.Count == 0 || ResourceNames.Contains(a.Name));
    }

    bool VerbMatches(string verb) => Verbs.Any(v => v == "*" || v == verb);

    bool ResourceMatches(string resource, string subresource)
    {
        var combined = subresource.Length == 0 ? resource : $"{resource}/{subresource}";
        foreach (var r in Resources)
        {
            if (r == "*" || r == combined) return true;
            if (subresource.Length > 0 && r == "*/" + subresource) return true;
        }
        return false;
    }

    bool NonResourceUrlMatches(string path) => NonResourceUrls.Any(u =>
        u == "*" || u == path || (u.EndsWith('*') && path.StartsWith(u[..^1], StringComparison.Ordinal)));

    public JsonObject ToJson()
    {
        var o = new JsonObject { ["verbs"] = Array(Verbs) };
        if (ApiGroups.Count > 0) o["apiGroups"] = Array(ApiGroups);
        if (Resources.Count > 0) o["resources"] = Array(Resources);
        if (ResourceNames.Count > 0) o["resourceNames"] = Array(ResourceNames);
        if (NonResourceUrls.Count > 0) o["nonResourceURLs"] = Array(NonResourceUrls);
        return o;
    }

    static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v!).ToArray());
}
