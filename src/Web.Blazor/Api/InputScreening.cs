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
        var path = new List<string>();
        string? property = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Add(property ?? "");
                        property = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        if (path.Count > 0) path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        if (property!.Contains('\0')) return (Field(path, property.Replace("\0", "")), NulMessage);
                        break;
                    case JsonTokenType.String:
                        var value = reader.GetString()!;
                        var name = property ?? (path.Count > 0 ? path[^1] : "");
                        if (value.Contains('\0')) return (Field(path, property), NulMessage);
                        if (IsIdName(name) && Guid.TryParse(value, out var id) && id == Guid.Empty) return (Field(path, property), EmptyIdMessage);
                        property = null;
                        break;
                    default:
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

    private static string Field(List<string> path, string? property)
    {
        var parts = path.Skip(1).Where(p => p.Length > 0).Append(property ?? "").Where(p => p.Length > 0);
        var field = string.Join('.', parts);
        return field.Length == 0 ? "body" : field;
    }
}
