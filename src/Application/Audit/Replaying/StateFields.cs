using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Cocktail.Application.Audit.Replaying;

/// <summary>One field of an entity's state, by its path (`members[0].role`), with its value as text (enums by name).</summary>
public sealed record StateField(string Field, string Value);

public enum FieldChangeKind { Added, Removed, Changed }

public sealed record StateFieldChange(string Field, FieldChangeKind Change, string? Before, string? After);

/// <summary>An entity's state as named fields, and what differs between two of them.</summary>
public static class StateFields
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        ReferenceHandler = ReferenceHandler.IgnoreCycles,
    };

    public static IReadOnlyList<StateField> Of(object? state)
    {
        if (state is null) return [];
        var values = new List<StateField>();
        Walk(JsonSerializer.SerializeToNode(state, state.GetType(), Json), "", values);
        return values;
    }

    public static IReadOnlyList<StateFieldChange> Between(IReadOnlyList<StateField> before, IReadOnlyList<StateField> after)
    {
        var old = before.ToDictionary(f => f.Field, f => f.Value);
        var now = after.ToDictionary(f => f.Field, f => f.Value);
        return old.Keys.Union(now.Keys)
            .Select(field => (field, had: old.TryGetValue(field, out var b), b, has: now.TryGetValue(field, out var a), a))
            .Where(x => !x.had || !x.has || x.b != x.a)
            .Select(x => new StateFieldChange(x.field,
                !x.had ? FieldChangeKind.Added : !x.has ? FieldChangeKind.Removed : FieldChangeKind.Changed, x.had ? x.b : null, x.has ? x.a : null))
            .OrderBy(c => c.Field, StringComparer.Ordinal)
            .ToList();
    }

    private static void Walk(JsonNode? node, string path, List<StateField> values)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj.Count == 0 && path.Length > 0) values.Add(new StateField(path, "{}"));
                foreach (var (key, child) in obj) Walk(child, path.Length == 0 ? key : $"{path}.{key}", values);
                break;
            case JsonArray array:
                if (array.Count == 0) values.Add(new StateField(path, "[]"));
                for (var i = 0; i < array.Count; i++) Walk(array[i], $"{path}[{i}]", values);
                break;
            case JsonValue value:
                values.Add(new StateField(path, value.TryGetValue<string>(out var s) ? s : value.ToJsonString()));
                break;
            case null:
                values.Add(new StateField(path, "—"));
                break;
        }
    }
}
