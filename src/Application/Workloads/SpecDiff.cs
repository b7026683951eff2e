using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Domain.Workloads;

namespace Cocktail.Application.Workloads;

/// <summary>One field that differs between two revisions, by its path in the workload body (`containers[0].image`).</summary>
public sealed record SpecChange(string Field, string? Before, string? After);

/// <summary>Compares two specs field by field, in the JSON shape the API and the form use.</summary>
public static class SpecDiff
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static IReadOnlyList<SpecChange> Between(WorkloadSpec? before, WorkloadSpec after)
    {
        var old = before is null ? new Dictionary<string, string>() : Flatten(before);
        var now = Flatten(after);
        return old.Keys.Union(now.Keys)
            .Select(field => new SpecChange(field, old.GetValueOrDefault(field), now.GetValueOrDefault(field)))
            .Where(c => c.Before != c.After)
            .OrderBy(c => c.Field, StringComparer.Ordinal)
            .ToList();
    }

    private static Dictionary<string, string> Flatten(WorkloadSpec spec)
    {
        var values = new Dictionary<string, string>();
        Walk(JsonSerializer.SerializeToNode(spec, Json), "", values);
        return values;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj) Walk(child, path.Length == 0 ? key : $"{path}.{key}", values);
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++) Walk(array[i], $"{path}[{i}]", values);
                break;
            case JsonValue value:
                var text = value.ToJsonString();
                // Defaults (false, 0) say nothing: a field appearing as false is not a change anyone made.
                if (text is not ("false" or "\"\"")) values[path] = value.TryGetValue<string>(out var s) ? s : text;
                break;
        }
    }
}
