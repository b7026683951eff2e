using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Cocktail.Application.Provisioning.Building;

/// <summary>
/// The built objects as multi-document YAML with YamlDotNet (a pure library, like CsvHelper here: no I/O). Strings a
/// YAML reader would take for another type ("true", "2", "") are quoted, so the YAML applies to the same JSON.
/// </summary>
internal static class ClusterObjectYaml
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .DisableAliases()
        .Build();

    public static string Write(IReadOnlyList<JsonObject> objects)
    {
        var yaml = new StringBuilder();
        for (var i = 0; i < objects.Count; i++)
        {
            if (i > 0) yaml.Append("---\n");
            yaml.Append(Serializer.Serialize(Plain(objects[i])).ReplaceLineEndings("\n"));
        }
        return yaml.ToString();
    }

    /// <summary>JSON nodes as the dictionaries, lists and scalars YamlDotNet serializes, keeping the keys' order.</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.Select(p => KeyValuePair.Create(p.Key, Plain(p.Value))).ToList() is var entries ? Ordered(entries) : null,
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => Number(v.ToJsonString()),
            _ => null,
        },
        _ => null,
    };

    private static object Number(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l)
            ? l : double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, object?> Ordered(List<KeyValuePair<string, object?>> entries)
    {
        // Dictionary<,> enumerates in insertion order while nothing is removed, which is all YamlDotNet needs here.
        var map = new Dictionary<string, object?>(entries.Count, StringComparer.Ordinal);
        foreach (var (k, v) in entries) map[k] = v;
        return map;
    }
}
