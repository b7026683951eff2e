using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Registry;

public sealed partial class ObjectRegistry
{
    /// <summary>The matching objects in key order plus the list's resourceVersion and continue token.</summary>
    public sealed record ListPage(List<StoredObject> Items, long ResourceVersion, string? Continue, long? RemainingItemCount);

    public ListPage ListPageOf(ResourceType type, string? ns, ListOptions options)
    {
        var (items, listRv) = store.List(type.StorageKey, type.Namespaced && !string.IsNullOrEmpty(ns) ? ns : null);
        string? startAfter = null;
        if (!string.IsNullOrEmpty(options.Continue))
        {
            var token = ContinueToken.Decode(options.Continue);
            // etcd serves the next chunk at the original revision; once compacted the token is useless.
            if (token.ResourceVersion < store.History.CompactedThrough)
                throw ApiException.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            startAfter = token.StartAfter;
            listRv = token.ResourceVersion;
        }
        else if (options.ResourceVersion is { Length: > 0 } rv && rv != "0" && long.TryParse(rv, out var asked) && asked > store.CurrentResourceVersion)
        {
            throw new ApiException(504, "Timeout", $"Too large resource version: {asked}, current: {store.CurrentResourceVersion}",
                new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }), ["retryAfterSeconds"] = 1 });
        }

        var page = new List<StoredObject>();
        string? lastKey = null;
        long remaining = 0;
        foreach (var stored in items)
        {
            var key = stored.Namespace + "/" + stored.Name;
            if (startAfter is not null && string.CompareOrdinal(key, startAfter) <= 0) continue;
            // Selectors need the parsed object; an unfiltered list never parses (lists must stay cheap).
            if (!options.Labels.IsEmpty || options.Fields is { IsEmpty: false })
            {
                var obj = stored.Parse();
                if (!options.Labels.Matches(obj) || (options.Fields is { IsEmpty: false } f && !f.Matches(obj))) continue;
            }
            if (options.Limit > 0 && page.Count >= options.Limit) { remaining++; continue; }
            page.Add(stored);
            lastKey = key;
        }
        var next = remaining > 0 && lastKey is not null ? ContinueToken.Encode(listRv, lastKey) : null;
        return new ListPage(page, listRv, next, remaining > 0 ? remaining : null);
    }

    /// <summary>The list object (PodList...). Items carry no kind/apiVersion, as a real server encodes typed lists.</summary>
    public JsonObject List(ResourceType type, string? ns, ListOptions options)
    {
        var page = ListPageOf(type, ns, options);
        var meta = new JsonObject { ["resourceVersion"] = page.ResourceVersion.ToString() };
        if (page.Continue is not null) meta["continue"] = page.Continue;
        if (page.RemainingItemCount is { } r) meta["remainingItemCount"] = r;
        var custom = catalog.IsCustom(type);
        var items = new JsonArray();
        foreach (var stored in page.Items)
        {
            var item = VersionConversion.ToServedVersion(type, stored.Parse());
            if (type.Custom?.Schema is { HasDefaults: true } schema) schema.ApplyDefaults(item);
            items.Add(custom ? ObjectMetadata.WithTypeMeta(item, type.Kind, type.GroupVersion) : item);
        }
        return new JsonObject { ["kind"] = type.ListKind, ["apiVersion"] = type.GroupVersion, ["metadata"] = meta, ["items"] = items };
    }

    /// <summary>
    /// The same list rendered straight from the stored bytes, without building a node tree: what the HTTP list
    /// endpoint serves, since lists are the hottest read path.
    /// </summary>
    public byte[] ListBytes(ResourceType type, string? ns, ListOptions options)
    {
        if (VersionConversion.Converts(type) || type.Custom?.Schema is { HasDefaults: true }) return List(type, ns, options).ToUtf8();
        var page = ListPageOf(type, ns, options);
        var custom = catalog.IsCustom(type);
        using var buffer = new MemoryStream(page.Items.Sum(i => i.Json.Length) + 256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", type.ListKind);
            writer.WriteString("apiVersion", type.GroupVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", page.ResourceVersion.ToString());
            if (page.Continue is not null) writer.WriteString("continue", page.Continue);
            if (page.RemainingItemCount is { } remaining) writer.WriteNumber("remainingItemCount", remaining);
            writer.WriteEndObject();
            writer.WriteStartArray("items");
            foreach (var stored in page.Items)
                writer.WriteRawValue(custom ? ObjectMetadata.WithTypeMeta(stored.Json, type.Kind, type.GroupVersion) : stored.Json, skipInputValidation: true);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}

/// <summary>The opaque continue token: the revision the list started at and the last key returned.</summary>
static class ContinueToken
{
    public static string Encode(long resourceVersion, string startAfter) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { v = "meta.k8s.io/v1", rv = resourceVersion, start = startAfter })))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static (long ResourceVersion, string StartAfter) Decode(string token)
    {
        try
        {
            var s = token.Replace('-', '+').Replace('_', '/');
            s += (s.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
            var o = JsonNode.Parse(Convert.FromBase64String(s))!;
            return (o.Long("rv") ?? 0, o.Str("start") ?? "");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw ApiException.BadRequest("continue key is not valid: illegal base64 data at input byte 0");
        }
    }
}
