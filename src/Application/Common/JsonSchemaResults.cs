using Json.Schema;

namespace Cocktail.Application.Common;

/// <summary>Reading JsonSchema.Net's hierarchical results: shared by the CRD validator and the chart values check.</summary>
public static class JsonSchemaResults
{
    /// <summary>Every node of the results tree, depth first.</summary>
    public static IEnumerable<EvaluationResults> Flatten(EvaluationResults results)
    {
        yield return results;
        foreach (var child in results.Details ?? [])
            foreach (var r in Flatten(child))
                yield return r;
    }

    /// <summary>Whether the evaluation passes through anyOf/oneOf/not: such branches are reported once, at the junction.</summary>
    public static bool InsideJunction(IReadOnlyList<string> evaluation)
    {
        for (var i = 0; i < evaluation.Count - 1; i++)
            if (evaluation[i] is "anyOf" or "oneOf" or "not") return true;
        return false;
    }

    /// <summary>A JSON pointer ("/spec/workers/0", "#/properties/a") as its unescaped segments.</summary>
    public static List<string> Segments(string pointer) =>
        pointer.Length == 0 || pointer == "#" ? [] : [.. pointer.TrimStart('#').TrimStart('/').Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];
}
