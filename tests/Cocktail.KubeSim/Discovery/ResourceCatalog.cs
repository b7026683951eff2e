using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// The resources one cluster serves: the built-ins (shared by every cluster) plus the CustomResourceDefinitions
/// registered on this cluster at run time.
/// </summary>
public sealed class ResourceCatalog
{
    readonly Lock _gate = new();
    Dictionary<string, List<ResourceType>> _crdTypesByCrdName = new(StringComparer.Ordinal);
    IReadOnlyList<ResourceType> _all = BuiltinResources.All;

    public IReadOnlyList<ResourceType> All => _all;

    public ResourceType? Find(string group, string version, string resource)
    {
        foreach (var t in _all)
            if (t.Resource == resource && t.Version == version && t.Group == group) return t;
        return null;
    }

    /// <summary>Whether an API group/version is installed; its unknown resources get a Status 404, other paths a plain one.</summary>
    public bool Serves(string group, string version) => _all.Any(t => t.Group == group && t.Version == version);

    /// <summary>The served version of a group/resource that a real server prefers (e.g. autoscaling/v2 over v1).</summary>
    public ResourceType? FindPreferred(string group, string resource) =>
        _all.Where(t => t.Group == group && t.Resource == resource).OrderByDescending(t => VersionPriority(t.Version)).FirstOrDefault();

    public ResourceType? FindByKind(string group, string kind) =>
        _all.Where(t => t.Group == group && t.Kind == kind).OrderByDescending(t => VersionPriority(t.Version)).FirstOrDefault();

    public ResourceType? FindByApiVersionKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        return _all.FirstOrDefault(t => t.Group == group && t.Version == version && t.Kind == kind) ?? FindByKind(group, kind);
    }

    /// <summary>Groups with their versions, preferred version first (the order of /apis).</summary>
    public IEnumerable<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        _all.Where(t => t.Group.Length > 0)
            .GroupBy(t => t.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(t => t.Version).Distinct()
                .OrderByDescending(VersionPriority).ToList()));

    /// <summary>Kubernetes version ordering: GA > beta > alpha, then by number.</summary>
    public static int VersionPriority(string version)
    {
        var m = System.Text.RegularExpressions.Regex.Match(version, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!m.Success) return 0;
        var major = int.Parse(m.Groups[1].Value);
        var stage = m.Groups[2].Value switch { "alpha" => 0, "beta" => 1, _ => 2 };
        var minor = m.Groups[3].Success ? int.Parse(m.Groups[3].Value) : 0;
        return stage * 1_000_000 + major * 1000 + minor;
    }

    /// <summary>Serves a CRD's resource for each served version, as the apiextensions-apiserver does once it is Established.</summary>
    public void Register(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? throw new ArgumentException("CRD without spec");
        var group = spec.Str("group") ?? "";
        var names = spec["names"] as JsonObject ?? new JsonObject();
        var plural = names.Str("plural") ?? "";
        var kind = names.Str("kind") ?? "";
        var namespaced = spec.Str("scope") != "Cluster";
        var types = new List<ResourceType>();
        foreach (var version in spec["versions"].Objects())
        {
            if (version.Bool("served") == false) continue;
            var subresources = new Dictionary<string, Subresource>();
            if (version.At("subresources", "status") is not null)
                subresources["status"] = new Subresource("status", group, version.Str("name")!, kind, ["get", "patch", "update"]);
            if (version.At("subresources", "scale") is not null)
                subresources["scale"] = new Subresource("scale", "autoscaling", "v1", "Scale", ["get", "patch", "update"]);
            types.Add(new ResourceType(group, version.Str("name")!, plural, kind, namespaced,
                ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
            {
                SingularName = names.Str("singular") ?? kind.ToLowerInvariant(),
                ShortNames = names["shortNames"] is JsonArray s ? s.Select(x => x!.GetValue<string>()).ToArray() : [],
                Categories = names["categories"] is JsonArray c ? c.Select(x => x!.GetValue<string>()).ToArray() : [],
                Subresources = subresources,
                Custom = new CustomResourceVersion(crd.Str("metadata", "name") ?? "", spec, version),
            });
        }
        lock (_gate)
        {
            var next = new Dictionary<string, List<ResourceType>>(_crdTypesByCrdName) { [crd.Str("metadata", "name")!] = types };
            Publish(next);
        }
    }

    public void Unregister(string crdName)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, List<ResourceType>>(_crdTypesByCrdName);
            if (next.Remove(crdName)) Publish(next);
        }
    }

    void Publish(Dictionary<string, List<ResourceType>> crdTypes)
    {
        _crdTypesByCrdName = crdTypes;
        _all = [.. BuiltinResources.All, .. crdTypes.Values.SelectMany(t => t)];
    }

    public bool IsCustom(ResourceType type) => type.Custom is not null;
}
