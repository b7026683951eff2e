using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Patch;

/// <summary>
/// patchMergeKey of the list fields in the built-in types (from their x-kubernetes-patch-merge-key tags):
/// lists named here merge item by item, every other list is replaced as a whole.
/// </summary>
public static class MergeKeys
{
    static readonly Dictionary<string, string> ByFieldName = new(StringComparer.Ordinal)
    {
        ["containers"] = "name", ["initContainers"] = "name", ["ephemeralContainers"] = "name",
        ["env"] = "name", ["volumes"] = "name", ["volumeMounts"] = "mountPath", ["volumeDevices"] = "devicePath",
        ["imagePullSecrets"] = "name", ["hostAliases"] = "ip", ["conditions"] = "type", ["ownerReferences"] = "uid",
        ["taints"] = "key", ["resourceClaims"] = "name", ["topologySpreadConstraints"] = "topologyKey",
        ["containerStatuses"] = "name", ["initContainerStatuses"] = "name", ["podIPs"] = "ip", ["addresses"] = "type",
        ["images"] = "names", ["secrets"] = "name",
    };

    /// <summary>Lists of scalars with set semantics (patchStrategy merge without a key).</summary>
    static readonly HashSet<string> ScalarSets = new(StringComparer.Ordinal) { "finalizers" };

    /// <summary>The merge key for the list <paramref name="field"/>, looking at its items where the name is ambiguous.</summary>
    public static string? For(string field, JsonArray? sample)
    {
        if (field == "ports")
        {
            var first = sample?.OfType<JsonObject>().FirstOrDefault();
            if (first is null) return "containerPort";
            return first.ContainsKey("containerPort") ? "containerPort" : "port";
        }
        return ByFieldName.GetValueOrDefault(field);
    }

    public static bool IsScalarSet(string field) => ScalarSets.Contains(field);
}
