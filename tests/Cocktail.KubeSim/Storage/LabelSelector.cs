using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Storage;

/// <summary>
/// A label selector in either of its forms: the query-string syntax (<c>a=b,c!=d,e in (f,g),!h</c>) or the
/// metav1.LabelSelector object (matchLabels/matchExpressions). All requirements must hold.
/// </summary>
public sealed class LabelSelector
{
    readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    public static readonly LabelSelector Everything = new();

    public bool IsEmpty => _requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r(labels));

    public bool Matches(JsonObject obj) => IsEmpty || Matches(obj.At("metadata", "labels").StringMap());

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text)) return selector;
        foreach (var term in SplitTerms(text))
            selector._requirements.Add(ParseTerm(term.Trim()));
        return selector;
    }

    /// <summary>From metav1.LabelSelector. A null selector matches nothing, an empty one everything (as in the API).</summary>
    public static LabelSelector? FromObject(JsonNode? node)
    {
        if (node is not JsonObject o) return null;
        var selector = new LabelSelector();
        foreach (var (key, value) in o["matchLabels"].StringMap())
            selector._requirements.Add(l => l.TryGetValue(key, out var v) && v == value);
        foreach (var expression in o["matchExpressions"].Objects())
        {
            var key = expression.Str("key") ?? "";
            var values = expression["values"] is JsonArray a ? a.Select(v => v?.GetValue<string>() ?? "").ToHashSet() : [];
            selector._requirements.Add(expression.Str("operator") switch
            {
                "In" => l => l.TryGetValue(key, out var v) && values.Contains(v),
                "NotIn" => l => !l.TryGetValue(key, out var v) || !values.Contains(v),
                "Exists" => l => l.ContainsKey(key),
                "DoesNotExist" => l => !l.ContainsKey(key),
                var op => throw ApiException.BadRequest($"\"{op}\" is not a valid label selector operator"),
            });
        }
        return selector;
    }

    static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    static Func<IReadOnlyDictionary<string, string>, bool> ParseTerm(string term)
    {
        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            return l => !l.ContainsKey(key);
        }
        var setMatch = System.Text.RegularExpressions.Regex.Match(term, @"^(\S+)\s+(in|notin)\s*\((.*)\)$");
        if (setMatch.Success)
        {
            var key = setMatch.Groups[1].Value;
            var values = setMatch.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries).ToHashSet();
            return setMatch.Groups[2].Value == "in"
                ? l => l.TryGetValue(key, out var v) && values.Contains(v)
                : l => !l.TryGetValue(key, out var v) || !values.Contains(v);
        }
        foreach (var op in new[] { "!=", "==", "=" })
        {
            var at = term.IndexOf(op, StringComparison.Ordinal);
            if (at <= 0) continue;
            var key = term[..at].Trim();
            var value = term[(at + op.Length)..].Trim();
            return op == "!="
                ? l => !l.TryGetValue(key, out var v) || v != value
                : l => l.TryGetValue(key, out var v) && v == value;
        }
        if (term.Length > 0 && !term.Contains(' ')) return l => l.ContainsKey(term);
        throw ApiException.BadRequest($"unable to parse requirement: found '{term}', expected: identifier");
    }
}
