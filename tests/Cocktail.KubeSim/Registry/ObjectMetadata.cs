using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Registry;

/// <summary>Helpers for the metadata every object carries, formatted the way the apiserver writes it.</summary>
public static class ObjectMetadata
{
    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    public static string MicroTimestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");

    public static JsonObject Meta(this JsonObject obj) => obj.Obj("metadata");

    public static string Name(this JsonObject obj) => obj.Str("metadata", "name") ?? "";

    public static string Namespace(this JsonObject obj) => obj.Str("metadata", "namespace") ?? "";

    public static string Uid(this JsonObject obj) => obj.Str("metadata", "uid") ?? "";

    public static bool IsDeleting(this JsonObject obj) => obj.At("metadata", "deletionTimestamp") is not null;

    public static List<string> Finalizers(this JsonObject obj) =>
        obj.At("metadata", "finalizers") is JsonArray a ? a.Select(f => f!.GetValue<string>()).ToList() : [];

    public static void SetFinalizers(this JsonObject obj, IEnumerable<string> finalizers)
    {
        var list = finalizers.ToList();
        if (list.Count == 0) obj.Meta().Remove("finalizers");
        else obj.Meta()["finalizers"] = new JsonArray(list.Select(f => (JsonNode)f!).ToArray());
    }

    public static JsonObject? ControllerOf(this JsonObject obj) =>
        obj.At("metadata", "ownerReferences").Objects().FirstOrDefault(r => r.Bool("controller") == true);

    public static JsonObject OwnerReference(JsonObject owner, string apiVersion, string kind) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = owner.Name(),
        ["uid"] = owner.Uid(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>Stored bytes carry no kind/apiVersion (they depend on the version asked for); this adds them back.</summary>
    public static JsonObject WithTypeMeta(JsonObject obj, string kind, string apiVersion)
    {
        var result = new JsonObject { ["kind"] = kind, ["apiVersion"] = apiVersion };
        foreach (var (k, v) in obj.ToList())
        {
            if (k is "kind" or "apiVersion") continue;
            obj.Remove(k);
            result[k] = v;
        }
        return result;
    }

    public static JsonObject WithoutTypeMeta(JsonObject obj)
    {
        obj.Remove("kind");
        obj.Remove("apiVersion");
        return obj;
    }

    /// <summary>Splices kind/apiVersion in front of stored bytes without parsing them: lists and watches stay cheap.</summary>
    public static byte[] WithTypeMeta(byte[] storedJson, string kind, string apiVersion)
    {
        var prefix = System.Text.Encoding.UTF8.GetBytes($"{{\"kind\":\"{kind}\",\"apiVersion\":\"{apiVersion}\"");
        if (storedJson.Length <= 2) return [.. prefix, (byte)'}'];
        var result = new byte[prefix.Length + 1 + storedJson.Length - 1];
        prefix.CopyTo(result, 0);
        result[prefix.Length] = (byte)',';
        Array.Copy(storedJson, 1, result, prefix.Length + 1, storedJson.Length - 1);
        return result;
    }

    const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>names.SimpleNameGenerator: five random characters from an alphabet without vowels.</summary>
    public static string GenerateName(string prefix)
    {
        if (prefix.Length > 58) prefix = prefix[..58];
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < 5; i++) suffix[i] = GenerateNameAlphabet[Random.Shared.Next(GenerateNameAlphabet.Length)];
        return prefix + new string(suffix);
    }
}
