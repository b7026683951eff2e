using System.Text.RegularExpressions;

namespace Cocktail.Domain.Monitoring.PromQl;

/// <summary>The confined query, or why the expression was refused (and where, when it does not parse).</summary>
public sealed record ConfinedQuery(string? Query, string? Error, int? Position = null)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Confines a PromQL expression to a set of namespaces the way prom-label-proxy does: every series selector (also
/// inside ranges, subqueries, functions and aggregations) gets a <c>namespace</c> matcher for exactly those
/// namespaces. Prometheus ANDs the matchers of a selector, so a user's own namespace matchers can only narrow the
/// answer further. Refused: expressions that do not parse, an explicit namespace outside the set (said rather than
/// silently answered empty), and rewriting the <c>namespace</c> label with label_replace/label_join, whose output
/// would claim another team's namespace.
/// </summary>
public static class PromQlConfinement
{
    public const string NamespaceLabel = "namespace";

    public static ConfinedQuery Confine(string query, IReadOnlyCollection<string> namespaces)
    {
        if (namespaces.Count == 0) return new ConfinedQuery(null, "There is no namespace to confine the query to: the workspace has no service map here.");
        PromQlNode parsed;
        try
        {
            parsed = PromQlParser.Parse(query);
        }
        catch (PromQlSyntaxException e)
        {
            return new ConfinedQuery(null, $"The expression does not parse: {e.Message}.", e.Position);
        }
        var allowed = new HashSet<string>(namespaces, StringComparer.Ordinal);
        var matcher = NamespaceMatcher(allowed);
        try
        {
            return new ConfinedQuery(Rewrite(parsed, matcher, allowed).ToString(), null);
        }
        catch (ConfinementException e)
        {
            return new ConfinedQuery(null, e.Message);
        }
    }

    /// <summary>Checks that <paramref name="query"/> parses; null when it does, else the reason.</summary>
    public static ConfinedQuery Check(string query)
    {
        try
        {
            return new ConfinedQuery(PromQlParser.Parse(query).ToString(), null);
        }
        catch (PromQlSyntaxException e)
        {
            return new ConfinedQuery(null, $"The expression does not parse: {e.Message}.", e.Position);
        }
    }

    /// <summary><c>namespace="a"</c> for one namespace, else <c>namespace=~"a|b"</c> (values escaped; Prometheus anchors regexes).</summary>
    public static PromQlMatcher NamespaceMatcher(IReadOnlyCollection<string> namespaces) =>
        namespaces.Count == 1
            ? new PromQlMatcher(NamespaceLabel, "=", namespaces.First())
            : new PromQlMatcher(NamespaceLabel, "=~", string.Join('|', namespaces.Order(StringComparer.Ordinal).Select(Regex.Escape)));

    private static PromQlNode Rewrite(PromQlNode node, PromQlMatcher matcher, HashSet<string> allowed) => node switch
    {
        VectorSelector v => Confine(v, matcher, allowed),
        MatrixSelector m => m with { Vector = Confine(m.Vector, matcher, allowed) },
        Subquery s => s with { Expression = Rewrite(s.Expression, matcher, allowed) },
        Parenthesized p => p with { Inner = Rewrite(p.Inner, matcher, allowed) },
        Unary u => u with { Operand = Rewrite(u.Operand, matcher, allowed) },
        Binary b => b with { Left = Rewrite(b.Left, matcher, allowed), Right = Rewrite(b.Right, matcher, allowed) },
        Aggregation a => a with
        {
            Parameter = a.Parameter is null ? null : Rewrite(a.Parameter, matcher, allowed),
            Expression = Rewrite(a.Expression, matcher, allowed),
        },
        FunctionCall f => RewriteCall(f, matcher, allowed),
        _ => node,
    };

    private static PromQlNode RewriteCall(FunctionCall call, PromQlMatcher matcher, HashSet<string> allowed)
    {
        if (call.Name is "label_replace" or "label_join" && call.Arguments.Count > 1
            && call.Arguments[1] is StringLiteral { Value: NamespaceLabel })
            throw new ConfinementException($"{call.Name} may not write the namespace label: its answer would name a namespace the query did not read.");
        return call with { Arguments = call.Arguments.Select(a => Rewrite(a, matcher, allowed)).ToList() };
    }

    private static VectorSelector Confine(VectorSelector selector, PromQlMatcher matcher, HashSet<string> allowed)
    {
        foreach (var own in selector.Matchers.Where(m => m.Label == NamespaceLabel && m.Operator == "="))
        {
            if (!allowed.Contains(own.Value))
                throw new ConfinementException($"namespace \"{own.Value}\" is not one of this workspace's namespaces on the cluster ({string.Join(", ", allowed.Order(StringComparer.Ordinal))}).");
        }
        return selector with { Matchers = [.. selector.Matchers, matcher] };
    }

    private sealed class ConfinementException(string message) : Exception(message);
}
