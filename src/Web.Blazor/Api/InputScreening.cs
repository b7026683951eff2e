using Cocktail.Application.Common;
using System.Text.Json;

namespace Cocktail.Web.Api;

/// <summary>
/// Checks that hold for every API input whatever the endpoint, so that no handler needs its own copy:
/// no U+0000 in any string (PostgreSQL cannot store it in text or jsonb, and no name, reason or YAML needs it),
/// and no all-zero GUID where an id is expected (Cocktail's ids are version 7; the empty GUID names nothing and
/// stands for "missing" in the stores). Each problem is reported on its field.
/// </summary>
public static class InputScreening
{
    public const string NulMessage = "The value contains the character U+0000, which Cocktail does not accept.";
    public const string EmptyIdMessage = "The all-zero GUID is not an id; give the id of an existing object.";

    /// <summary>The first field of a JSON body with U+0000 in a name or string, or an all-zero id; null if none.</summary>
    public static (string Field, string Message)? Body(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var containers = new List<(bool IsArray, int Index, string ReachedBy)>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        containers.Add((reader.TokenType == JsonTokenType.StartArray, 0, Position(containers, property)));
                        property = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        containers.RemoveAt(containers.Count - 1);
                        Advance(containers);
                        break;
                    case JsonTokenType.PropertyName:
                        property = reader.GetString()!;
                        if (property.Contains('\0')) return (Field(containers, property.Replace("\0", "")), NulMessage);
                        break;
                    case JsonTokenType.String:
                        var value = reader.GetString()!;
                        var name = property ?? (containers.Count > 0 ? containers[^1].ReachedBy : "");
                        if (value.Contains('\0')) return (Field(containers, property), NulMessage);
                        if (IsIdName(name) && Guid.TryParse(value, out var id) && id == Guid.Empty) return (Field(containers, property), EmptyIdMessage);
                        Advance(containers);
                        property = null;
                        break;
                    default:
                        Advance(containers);
                        property = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null; // malformed JSON is the deserializer's to describe, with its path
        }
        return null;
    }

    /// <summary>The first query or route value with U+0000, or an all-zero id; null if none.</summary>
    public static (string Field, string Message)? Request(HttpContext http)
    {
        foreach (var (key, values) in http.Request.Query)
            foreach (var value in values)
            {
                if (key.Contains('\0') || value?.Contains('\0') == true) return (key.Replace("\0", ""), NulMessage);
                if (IsIdName(key) && Guid.TryParse(value, out var id) && id == Guid.Empty) return (key, EmptyIdMessage);
                if (key == "page" && int.TryParse(value, out var page) && page > Paging.MaxPage)
                    return (key, $"There are at most {Paging.MaxPage} pages.");
            }
        foreach (var (key, value) in http.Request.RouteValues)
            if (value is string text && IsIdName(key) && Guid.TryParse(text, out var id) && id == Guid.Empty)
                return (key, EmptyIdMessage);
        return null;
    }

    private static bool IsIdName(string name) =>
        name == "id" || name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("Ids", StringComparison.Ordinal);

    /// <summary>How the next value is reached from its container: `[i]` in an array, the property name in an object.</summary>
    private static string Position(List<(bool IsArray, int Index, string ReachedBy)> containers, string? property) =>
        containers.Count == 0 ? "" : containers[^1].IsArray ? $"[{containers[^1].Index}]" : property ?? "";

    private static void Advance(List<(bool IsArray, int Index, string ReachedBy)> containers)
    {
        if (containers.Count > 0 && containers[^1].IsArray) containers[^1] = containers[^1] with { Index = containers[^1].Index + 1 };
    }

    /// <summary>The JSON path of the value at hand, as validation errors name fields: `containers[0].env[1].value`.</summary>
    private static string Field(List<(bool IsArray, int Index, string ReachedBy)> containers, string? property)
    {
        var field = new System.Text.StringBuilder();
        foreach (var segment in containers.Select(c => c.ReachedBy).Append(Position(containers, property)))
        {
            if (segment.Length == 0) continue;
            if (field.Length > 0 && !segment.StartsWith('[')) field.Append('.');
            field.Append(segment);
        }
        return field.Length == 0 ? "body" : field.ToString();
    }
}
