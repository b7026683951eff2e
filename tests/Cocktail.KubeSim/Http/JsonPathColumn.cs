using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// The JSONPath subset of k8s.io/client-go/util/jsonpath that CRD printer columns use (the apiserver parses
/// <c>{jsonPath}</c> with AllowMissingKeys): <c>.a.b</c>, <c>['a.b']</c>, <c>[0]</c>, <c>[-1]</c>, <c>[*]</c>, <c>..</c> is not
/// supported, and filters <c>[?(@.type=="Ready")]</c> with ==, !=, &lt;, &gt;, &lt;=, &gt;= against a string or number literal
/// (or just <c>[?(@.x)]</c>). A path it cannot parse finds nothing, so the cell is empty.
/// </summary>
public sealed class JsonPathColumn
{
    abstract record Step;
    sealed record Field(string Name) : Step;
    sealed record Index(int Value) : Step;
    sealed record Wildcard : Step;
    sealed record Filter(Step[] Path, string? Op, JsonNode? Literal) : Step;

    readonly Step[]? _steps;

    public JsonPathColumn(string path)
    {
        try { _steps = Parse(path.Trim().TrimStart('{').TrimEnd('}'), out _); }
        catch (FormatException) { _steps = null; }
    }

    static Step[] Parse(string text, out int consumed, bool inFilter = false)
    {
        var steps = new List<Step>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (inFilter && c is ' ' or '=' or '!' or '<' or '>' or ')') break;
            if (c == '.')
            {
                i++;
                var start = i;
                while (i < text.Length && text[i] is not ('.' or '[') && !(inFilter && text[i] is ' ' or '=' or '!' or '<' or '>' or ')'))
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    i++;
                }
                var name = text[start..i].Replace("\\.", ".");
                if (name.Length > 0) steps.Add(name == "*" ? new Wildcard() : new Field(name));
            }
            else if (c == '[')
            {
                var end = FindClose(text, i);
                var inner = text[(i + 1)..end].Trim();
                i = end + 1;
                if (inner == "*") steps.Add(new Wildcard());
                else if (inner.Length >= 2 && inner[0] is '\'' or '"') steps.Add(new Field(inner[1..^1]));
                else if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')')) steps.Add(ParseFilter(inner[2..^1].Trim()));
                else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) steps.Add(new Index(n));
                else throw new FormatException(inner);
            }
            else if (c == '@' && inFilter) i++;
            else throw new FormatException(text);
        }
        consumed = i;
        return [.. steps];
    }

    static int FindClose(string text, int open)
    {
        var depth = 0;
        char? quote = null;
        for (var i = open; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is not null) { if (c == quote) quote = null; continue; }
            if (c is '\'' or '"') quote = c;
            else if (c == '[') depth++;
            else if (c == ']' && --depth == 0) return i;
        }
        throw new FormatException(text);
    }

    static Filter ParseFilter(string expression)
    {
        if (!expression.StartsWith('@')) throw new FormatException(expression);
        var path = Parse(expression[1..], out var consumed, inFilter: true);
        var rest = expression[(1 + consumed)..].Trim();
        if (rest.Length == 0) return new Filter(path, null, null);
        var op = rest.StartsWith("==") || rest.StartsWith("!=") || rest.StartsWith("<=") || rest.StartsWith(">=") ? rest[..2] : rest[..1];
        var literal = rest[op.Length..].Trim();
        JsonNode? value = literal.Length >= 2 && literal[0] is '\'' or '"'
            ? JsonValue.Create(literal[1..^1])
            : double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d) : throw new FormatException(literal);
        return new Filter(path, op, value);
    }

    /// <summary>Every value the path finds, in document order (the apiserver shows the first).</summary>
    public List<JsonNode?> Find(JsonNode? root)
    {
        if (_steps is null) return [];
        IEnumerable<JsonNode?> current = [root];
        foreach (var step in _steps) current = current.SelectMany(n => Apply(step, n)).ToList();
        return current.ToList();
    }

    static IEnumerable<JsonNode?> Apply(Step step, JsonNode? node)
    {
        switch (step)
        {
            case Field f when node is JsonObject o && o.TryGetPropertyValue(f.Name, out var v):
                yield return v;
                break;
            case Index ix when node is JsonArray a:
                var at = ix.Value < 0 ? a.Count + ix.Value : ix.Value;
                if (at >= 0 && at < a.Count) yield return a[at];
                break;
            case Wildcard when node is JsonArray a:
                foreach (var item in a) yield return item;
                break;
            case Wildcard when node is JsonObject o:
                foreach (var (_, item) in o) yield return item;
                break;
            case Filter filter when node is JsonArray a:
                foreach (var item in a)
                    if (Matches(filter, item)) yield return item;
                break;
        }
    }

    static bool Matches(Filter filter, JsonNode? item)
    {
        IEnumerable<JsonNode?> found = [item];
        foreach (var step in filter.Path) found = found.SelectMany(n => Apply(step, n)).ToList();
        var values = found.ToList();
        if (filter.Op is null) return values.Count > 0;
        foreach (var value in values)
        {
            if (filter.Literal is JsonValue lit && lit.GetValueKind() == JsonValueKind.String)
            {
                var s = value is JsonValue sv && sv.GetValueKind() == JsonValueKind.String ? sv.GetValue<string>() : null;
                if (s is null) continue;
                var cmp = string.CompareOrdinal(s, lit.GetValue<string>());
                if (Compare(filter.Op, cmp)) return true;
            }
            else if (value is JsonValue nv && nv.GetValueKind() == JsonValueKind.Number)
            {
                var cmp = nv.GetValue<double>().CompareTo(filter.Literal!.GetValue<double>());
                if (Compare(filter.Op, cmp)) return true;
            }
        }
        return false;
    }

    static bool Compare(string op, int cmp) => op switch
    {
        "==" => cmp == 0,
        "!=" => cmp != 0,
        "<" => cmp < 0,
        ">" => cmp > 0,
        "<=" => cmp <= 0,
        ">=" => cmp >= 0,
        _ => false,
    };

    /// <summary>A value as jsonpath's text printing shows it (fmt.Fprint): strings raw, maps as map[k:v], lists as [a b].</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => "<nil>",
        JsonObject o => "map[" + string.Join(" ", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Text(p.Value)}")) + "]",
        JsonArray a => "[" + string.Join(" ", a.Select(Text)) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

}
