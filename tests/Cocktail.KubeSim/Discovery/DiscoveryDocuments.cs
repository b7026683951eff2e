using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Discovery;

/// <summary>The legacy discovery documents: /version, /api, /apis, /apis/{group} and the APIResourceLists.</summary>
public static class DiscoveryDocuments
{
    public const string ServerMajor = "1";
    public const string ServerMinor = "35";
    public const string GitVersion = "v1.35.0";

    /// <summary>/version; <paramref name="gitVersion"/> is the cluster's (a Cluster API workload cluster runs its control plane's version).</summary>
    public static JsonObject Version(string gitVersion = GitVersion)
    {
        var parts = gitVersion.TrimStart('v').Split('.', '-', '+');
        var major = parts.Length > 0 ? parts[0] : ServerMajor;
        var minor = parts.Length > 1 ? parts[1] : ServerMinor;
        var minCompatibilityMinor = int.TryParse(minor, out var m) ? (m - 1).ToString() : "34";
        return VersionDocument(major, minor, minCompatibilityMinor, gitVersion);
    }

    static JsonObject VersionDocument(string major, string minor, string minCompatibilityMinor, string gitVersion) => new()
    {
        ["major"] = major,
        ["minor"] = minor,
        ["emulationMajor"] = major,
        ["emulationMinor"] = minor,
        ["minCompatibilityMajor"] = major,
        ["minCompatibilityMinor"] = minCompatibilityMinor,
        ["gitVersion"] = gitVersion,
        ["gitCommit"] = "kubesim",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-12-17T00:00:00Z",
        ["goVersion"] = "go1.25.5",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceCatalog catalog)
    {
        var groups = new JsonArray();
        foreach (var (group, versions) in OrderedGroups(catalog)) groups.Add(Group(group, versions));
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    /// <summary>Built-in groups in the apiserver's priority order, then CRD groups alphabetically, like /apis lists them.</summary>
    static IEnumerable<(string Group, IReadOnlyList<string> Versions)> OrderedGroups(ResourceCatalog catalog)
    {
        string[] order =
        [
            "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling",
            "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
            "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
            "discovery.k8s.io", "resource.k8s.io", "flowcontrol.apiserver.k8s.io", "metrics.k8s.io",
        ];
        return catalog.Groups().OrderBy(g => Array.IndexOf(order, g.Group) is var i && i < 0 ? int.MaxValue : i).ThenBy(g => g.Group, StringComparer.Ordinal);
    }

    public static JsonObject Group(string group, IReadOnlyList<string> versions) => new()
    {
        ["kind"] = "APIGroup",
        ["apiVersion"] = "v1",
        ["name"] = group,
        ["versions"] = new JsonArray(versions.Select(v => (JsonNode)new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v }).ToArray()),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
    };

    public static JsonObject ResourceList(ResourceCatalog catalog, string group, string version)
    {
        var resources = new JsonArray();
        foreach (var type in catalog.All.Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Resource, StringComparer.Ordinal))
        {
            var entry = new JsonObject
            {
                ["name"] = type.Resource,
                ["singularName"] = type.SingularName,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = Strings(type.Verbs),
            };
            if (type.ShortNames.Count > 0) entry["shortNames"] = Strings(type.ShortNames);
            if (type.Categories.Count > 0) entry["categories"] = Strings(type.Categories);
            if (!type.IsVirtual) entry["storageVersionHash"] = StorageVersionHash(type);
            resources.Add(entry);
            foreach (var sub in type.Subresources.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                var subEntry = new JsonObject
                {
                    ["name"] = $"{type.Resource}/{sub.Name}",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                };
                if (sub.Group != group || sub.Version != version)
                {
                    subEntry["group"] = sub.Group;
                    subEntry["version"] = sub.Version;
                }
                subEntry["kind"] = sub.Kind;
                subEntry["verbs"] = Strings(sub.Verbs);
                resources.Add(subEntry);
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v!).ToArray());

    /// <summary>Like the apiserver: a hash of the storage group/version/kind, base64, first 8 bytes.</summary>
    static string StorageVersionHash(ResourceType type) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{type.Group}/{type.Version}/{type.Kind}"))[..8]);
}
