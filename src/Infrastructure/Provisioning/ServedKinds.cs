using System.Text.Json;

namespace Cocktail.Infrastructure.Provisioning;

/// <summary>One kind a management cluster serves through a CRD: where it lives and in which versions.</summary>
internal sealed record ServedKind(string Kind, string Group, string Plural, bool Namespaced, string StorageVersion, IReadOnlyList<string> ServedVersions, string CrdName)
{
    public string Key => $"{Kind}.{Group}";

    /// <summary>The version to read it in: the one asked for when served, else the storage version.</summary>
    public string Version(string? preferred = null) => preferred is not null && ServedVersions.Contains(preferred) ? preferred : StorageVersion;

    public string Path(string version, string? ns, string? name = null)
    {
        var root = $"apis/{Group}/{version}";
        var collection = Namespaced && ns is not null ? $"{root}/namespaces/{ns}/{Plural}" : $"{root}/{Plural}";
        return name is null ? collection : $"{collection}/{Uri.EscapeDataString(name)}";
    }
}

/// <summary>The CRDs of a management cluster, by <c>Kind.group</c>, read from <c>apiextensions.k8s.io/v1</c>.</summary>
internal sealed class ServedKinds(IReadOnlyDictionary<string, ServedKind> byKey)
{
    public IReadOnlyDictionary<string, ServedKind> ByKey { get; } = byKey;

    public ServedKind? Find(string kind, string group) => ByKey.GetValueOrDefault($"{kind}.{group}");

    /// <summary>The kind of an object's <c>apiVersion</c> and <c>kind</c>; null for a core kind or one not served.</summary>
    public ServedKind? Find(string apiVersion, string kind, out string version)
    {
        var slash = apiVersion.IndexOf('/');
        version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        return slash < 0 ? null : Find(kind, apiVersion[..slash]);
    }

    public static ServedKinds From(IEnumerable<JsonElement> crds)
    {
        var kinds = new Dictionary<string, ServedKind>(StringComparer.Ordinal);
        foreach (var crd in crds)
        {
            if (!crd.TryGetProperty("spec", out var spec)) continue;
            var group = Text(spec, "group");
            if (!spec.TryGetProperty("names", out var names)) continue;
            var kind = Text(names, "kind");
            var plural = Text(names, "plural");
            if (group is null || kind is null || plural is null) continue;
            var served = new List<string>();
            string? storage = null;
            if (spec.TryGetProperty("versions", out var versions) && versions.ValueKind == JsonValueKind.Array)
                foreach (var v in versions.EnumerateArray())
                {
                    var name = Text(v, "name");
                    if (name is null) continue;
                    if (v.TryGetProperty("served", out var s) && s.ValueKind == JsonValueKind.True) served.Add(name);
                    if (v.TryGetProperty("storage", out var st) && st.ValueKind == JsonValueKind.True) storage = name;
                }
            if (served.Count == 0) continue;
            var crdName = crd.TryGetProperty("metadata", out var meta) ? Text(meta, "name") ?? $"{plural}.{group}" : $"{plural}.{group}";
            var namespaced = Text(spec, "scope") != "Cluster";
            kinds[$"{kind}.{group}"] = new ServedKind(kind, group, plural, namespaced, storage is not null && served.Contains(storage) ? storage : served[^1], served, crdName);
        }
        return new ServedKinds(kinds);
    }

    internal static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
