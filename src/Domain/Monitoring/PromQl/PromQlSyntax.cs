using System.Globalization;
using System.Text;

namespace Cocktail.Domain.Monitoring.PromQl;

/// <summary>The parsed form of a PromQL expression (Prometheus 2.x grammar), printable back to PromQL.</summary>
public abstract record PromQlNode
{
    internal abstract void Print(StringBuilder b);

    public sealed override string ToString()
    {
        var b = new StringBuilder();
        Print(b);
        return b.ToString();
    }
}

public sealed record PromQlMatcher(string Label, string Operator, string Value)
{
    internal void Print(StringBuilder b)
    {
        b.Append(Label).Append(Operator);
        PromQlStrings.Quote(b, Value);
    }
}

/// <summary><c>metric{label="x"}</c>, with an optional <c>offset</c> and <c>@</c> (kept as written).</summary>
public sealed record VectorSelector(string? Metric, IReadOnlyList<PromQlMatcher> Matchers, string? Offset = null, string? At = null) : PromQlNode
{
    internal override void Print(StringBuilder b)
    {
        PrintSelector(b);
        PromQlModifiers.Print(b, Offset, At);
    }

    internal void PrintSelector(StringBuilder b)
    {
        if (Metric is not null) b.Append(Metric);
        if (Matchers.Count == 0 && Metric is not null) return;
        b.Append('{');
        for (var i = 0; i < Matchers.Count; i++)
        {
            if (i > 0) b.Append(", ");
            Matchers[i].Print(b);
        }
        b.Append('}');
    }
}

/// <summary><c>selector[5m]</c>; offset and @ follow the range.</summary>
public sealed record MatrixSelector(VectorSelector Vector, string Range, string? Offset = null, string? At = null) : PromQlNode
{
    internal override void Print(StringBuilder b)
    {
        Vector.PrintSelector(b);
        b.Append('[').Append(Range).Append(']');
        PromQlModifiers.Print(b, Offset ?? Vector.Offset, At ?? Vector.At);
    }
}

/// <summary><c>expr[30m:1m]</c>.</summary>
public sealed record Subquery(PromQlNode Expression, string Range, string? Step, string? Offset = null, string? At = null) : PromQlNode
{
    internal override void Print(StringBuilder b)
    {
        PromQlModifiers.Wrap(b, Expression);
        b.Append('[').Append(Range).Append(':').Append(Step).Append(']');
        PromQlModifiers.Print(b, Offset, At);
    }
}

public sealed record NumberLiteral(string Text) : PromQlNode
{
    internal override void Print(StringBuilder b) => b.Append(Text);
}

public sealed record StringLiteral(string Value) : PromQlNode
{
    internal override void Print(StringBuilder b) => PromQlStrings.Quote(b, Value);
}

public sealed record Parenthesized(PromQlNode Inner) : PromQlNode
{
    internal override void Print(StringBuilder b)
    {
        b.Append('(');
        Inner.Print(b);
        b.Append(')');
    }
}

public sealed record Unary(string Operator, PromQlNode Operand) : PromQlNode
{
    internal override void Print(StringBuilder b)
    {
        b.Append(Operator);
        Operand.Print(b);
    }
}

public sealed record FunctionCall(string Name, IReadOnlyList<PromQlNode> Arguments) : PromQlNode
{
    internal override void Print(StringBuilder b)
    {
        b.Append(Name).Append('(');
        for (var i = 0; i < Arguments.Count; i++)
        {
            if (i > 0) b.Append(", ");
            Arguments[i].Print(b);
        }
        b.Append(')');
    }
}

/// <summary><c>sum by (a, b) (expr)</c>; <see cref="Parameter"/> for topk, bottomk, quantile and count_values.</summary>
public sealed record Aggregation(string Operator, PromQlNode? Parameter, PromQlNode Expression, string? Grouping, IReadOnlyList<string> Labels) : PromQlNode
{
    internal override void Print(StringBuilder b)
    {
        b.Append(Operator);
        if (Grouping is not null) b.Append(' ').Append(Grouping).Append(" (").AppendJoin(", ", Labels).Append(") ");
        b.Append('(');
        if (Parameter is not null)
        {
            Parameter.Print(b);
            b.Append(", ");
        }
        Expression.Print(b);
        b.Append(')');
    }
}

/// <summary><c>on (a) group_left (b)</c> and <c>bool</c> of a binary operation.</summary>
public sealed record VectorMatching(bool ReturnBool, string? Matching, IReadOnlyList<string> MatchingLabels, string? Group, IReadOnlyList<string> GroupLabels)
{
    public static readonly VectorMatching None = new(false, null, [], null, []);

    internal void Print(StringBuilder b)
    {
        if (ReturnBool) b.Append(" bool");
        if (Matching is not null) b.Append(' ').Append(Matching).Append(" (").AppendJoin(", ", MatchingLabels).Append(')');
        if (Group is not null) b.Append(' ').Append(Group).Append(" (").AppendJoin(", ", GroupLabels).Append(')');
    }
}

public sealed record Binary(PromQlNode Left, string Operator, VectorMatching Matching, PromQlNode Right) : PromQlNode
{
    internal override void Print(StringBuilder b)
    {
        Left.Print(b);
        b.Append(' ').Append(Operator);
        Matching.Print(b);
        b.Append(' ');
        Right.Print(b);
    }
}

internal static class PromQlModifiers
{
    public static void Print(StringBuilder b, string? offset, string? at)
    {
        if (at is not null) b.Append(" @ ").Append(at);
        if (offset is not null) b.Append(" offset ").Append(offset);
    }

    /// <summary>A subquery's expression keeps parentheses where the grammar needs them (anything but a selector or call).</summary>
    public static void Wrap(StringBuilder b, PromQlNode expression)
    {
        var bare = expression is VectorSelector { Offset: null, At: null } or FunctionCall or Parenthesized or Aggregation or NumberLiteral;
        if (!bare) b.Append('(');
        expression.Print(b);
        if (!bare) b.Append(')');
    }
}

internal static class PromQlStrings
{
    public static void Quote(StringBuilder b, string value)
    {
        b.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': b.Append(@"\\"); break;
                case '"': b.Append("\\\""); break;
                case '\n': b.Append(@"\n"); break;
                case '\r': b.Append(@"\r"); break;
                case '\t': b.Append(@"\t"); break;
                default:
                    if (char.IsControl(c)) b.Append(@"\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else b.Append(c);
                    break;
            }
        }
        b.Append('"');
    }
}
