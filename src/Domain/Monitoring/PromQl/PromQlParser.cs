using System.Text.RegularExpressions;

namespace Cocktail.Domain.Monitoring.PromQl;

/// <summary>
/// A recursive-descent parser for PromQL as Prometheus 2.x reads it: selectors, ranges, subqueries, offset and @,
/// functions, aggregations with their grouping, binary operators with precedence, bool and vector matching. Bounded
/// in length, tokens and nesting, because the expressions come from users.
/// </summary>
public sealed class PromQlParser
{
    public const int MaxLength = 8_192;
    public const int MaxTokens = 2_000;
    public const int MaxDepth = 64;

    private readonly List<Token> _tokens;
    private int _next;
    private int _depth;

    private PromQlParser(List<Token> tokens) => _tokens = tokens;

    /// <summary>Parses <paramref name="text"/>, or throws <see cref="PromQlSyntaxException"/> saying where and why.</summary>
    public static PromQlNode Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new PromQlSyntaxException("the expression is empty", 0);
        if (text.Length > MaxLength) throw new PromQlSyntaxException($"the expression is longer than {MaxLength} characters", MaxLength);
        var parser = new PromQlParser(PromQlLexer.Tokenize(text, MaxTokens));
        var expression = parser.Expression(0);
        var end = parser.Peek;
        if (end.Kind != TokenKind.End) throw new PromQlSyntaxException($"unexpected \"{end.Text}\"", end.Position);
        return expression;
    }

    private static readonly Dictionary<string, int> Precedence = new(StringComparer.OrdinalIgnoreCase)
    {
        ["or"] = 1,
        ["and"] = 2, ["unless"] = 2,
        ["=="] = 3, ["!="] = 3, ["<="] = 3, ["<"] = 3, [">="] = 3, [">"] = 3,
        ["+"] = 4, ["-"] = 4,
        ["*"] = 5, ["/"] = 5, ["%"] = 5, ["atan2"] = 5,
        ["^"] = 6,
    };

    private static readonly HashSet<string> Comparisons = ["==", "!=", "<=", "<", ">=", ">"];
    private static readonly HashSet<string> SetOperators = new(StringComparer.OrdinalIgnoreCase) { "and", "or", "unless" };

    internal static readonly HashSet<string> Aggregations = new(StringComparer.OrdinalIgnoreCase)
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
    };

    private static readonly HashSet<string> ParameterAggregations = new(StringComparer.OrdinalIgnoreCase) { "count_values", "bottomk", "topk", "quantile" };

    /// <summary>The functions of Prometheus 2.42 and how many arguments each takes (min, max; -1: any more).</summary>
    internal static readonly Dictionary<string, (int Min, int Max)> Functions = new(StringComparer.Ordinal)
    {
        ["abs"] = (1, 1), ["absent"] = (1, 1), ["absent_over_time"] = (1, 1), ["acos"] = (1, 1), ["acosh"] = (1, 1),
        ["asin"] = (1, 1), ["asinh"] = (1, 1), ["atan"] = (1, 1), ["atanh"] = (1, 1), ["avg_over_time"] = (1, 1),
        ["ceil"] = (1, 1), ["changes"] = (1, 1), ["clamp"] = (3, 3), ["clamp_max"] = (2, 2), ["clamp_min"] = (2, 2),
        ["cos"] = (1, 1), ["cosh"] = (1, 1), ["count_over_time"] = (1, 1), ["day_of_month"] = (0, 1), ["day_of_week"] = (0, 1),
        ["day_of_year"] = (0, 1), ["days_in_month"] = (0, 1), ["deg"] = (1, 1), ["delta"] = (1, 1), ["deriv"] = (1, 1),
        ["exp"] = (1, 1), ["floor"] = (1, 1), ["histogram_count"] = (1, 1), ["histogram_fraction"] = (3, 3),
        ["histogram_quantile"] = (2, 2), ["histogram_sum"] = (1, 1), ["holt_winters"] = (3, 3), ["hour"] = (0, 1),
        ["idelta"] = (1, 1), ["increase"] = (1, 1), ["irate"] = (1, 1), ["label_join"] = (3, -1), ["label_replace"] = (5, 5),
        ["last_over_time"] = (1, 1), ["ln"] = (1, 1), ["log10"] = (1, 1), ["log2"] = (1, 1), ["max_over_time"] = (1, 1),
        ["min_over_time"] = (1, 1), ["minute"] = (0, 1), ["month"] = (0, 1), ["pi"] = (0, 0), ["predict_linear"] = (2, 2),
        ["present_over_time"] = (1, 1), ["quantile_over_time"] = (2, 2), ["rad"] = (1, 1), ["rate"] = (1, 1), ["resets"] = (1, 1),
        ["round"] = (1, 2), ["scalar"] = (1, 1), ["sgn"] = (1, 1), ["sin"] = (1, 1), ["sinh"] = (1, 1), ["sort"] = (1, 1),
        ["sort_desc"] = (1, 1), ["sqrt"] = (1, 1), ["stddev_over_time"] = (1, 1), ["stdvar_over_time"] = (1, 1),
        ["sum_over_time"] = (1, 1), ["tan"] = (1, 1), ["tanh"] = (1, 1), ["time"] = (0, 0), ["timestamp"] = (1, 1),
        ["vector"] = (1, 1), ["year"] = (0, 1),
    };

    private Token Peek => _tokens[_next];

    private Token PeekAt(int ahead) => _tokens[Math.Min(_next + ahead, _tokens.Count - 1)];

    private Token Take() => _tokens[_next++];

    private Token Expect(TokenKind kind, string what)
    {
        var token = Peek;
        if (token.Kind != kind) throw Unexpected(token, what);
        return Take();
    }

    private static PromQlSyntaxException Unexpected(Token token, string expected) =>
        new(token.Kind == TokenKind.End ? $"unexpected end of expression, expected {expected}" : $"unexpected \"{token.Text}\", expected {expected}", token.Position);

    private PromQlNode Expression(int minimum)
    {
        if (++_depth > MaxDepth) throw new PromQlSyntaxException($"the expression nests deeper than {MaxDepth} levels", Peek.Position);
        var left = UnaryExpression();
        while (true)
        {
            var token = Peek;
            if (token.Kind is not (TokenKind.Operator or TokenKind.Identifier) || !Precedence.TryGetValue(token.Text, out var precedence)
                || precedence < minimum)
                break;
            Take();
            var op = token.Kind == TokenKind.Identifier ? token.Text.ToLowerInvariant() : token.Text;
            var matching = Matching(op);
            // ^ is right-associative; the others are left-associative.
            var right = Expression(op == "^" ? precedence : precedence + 1);
            CheckOperands(left, op, matching, right, token);
            left = new Binary(left, op, matching, right);
        }
        _depth--;
        return left;
    }

    private PromQlNode UnaryExpression()
    {
        if (Peek is { Kind: TokenKind.Operator, Text: "-" or "+" })
        {
            var op = Take().Text;
            // Unary minus binds looser than ^ (-2^2 is -4), as in Prometheus.
            return new Unary(op, Expression(Precedence["^"]));
        }
        return Postfix(Primary());
    }

    private VectorMatching Matching(string op)
    {
        var returnBool = false;
        if (Peek is { Kind: TokenKind.Identifier } b && b.Text.Equals("bool", StringComparison.OrdinalIgnoreCase))
        {
            if (!Comparisons.Contains(op)) throw new PromQlSyntaxException("bool modifier can only be used on comparison operators", b.Position);
            Take();
            returnBool = true;
        }
        string? matching = null;
        IReadOnlyList<string> matchingLabels = [];
        if (Peek is { Kind: TokenKind.Identifier } m && (m.Text.Equals("on", StringComparison.OrdinalIgnoreCase) || m.Text.Equals("ignoring", StringComparison.OrdinalIgnoreCase)))
        {
            Take();
            matching = m.Text.ToLowerInvariant();
            matchingLabels = LabelList();
        }
        string? group = null;
        IReadOnlyList<string> groupLabels = [];
        if (matching is not null && Peek is { Kind: TokenKind.Identifier } g
            && (g.Text.Equals("group_left", StringComparison.OrdinalIgnoreCase) || g.Text.Equals("group_right", StringComparison.OrdinalIgnoreCase)))
        {
            if (SetOperators.Contains(op)) throw new PromQlSyntaxException($"no grouping allowed for \"{op}\" operation", g.Position);
            Take();
            group = g.Text.ToLowerInvariant();
            groupLabels = Peek.Kind == TokenKind.LeftParen ? LabelList() : [];
        }
        return new VectorMatching(returnBool, matching, matchingLabels, group, groupLabels);
    }

    private static void CheckOperands(PromQlNode left, string op, VectorMatching matching, PromQlNode right, Token at)
    {
        var leftScalar = IsScalar(left);
        var rightScalar = IsScalar(right);
        if (SetOperators.Contains(op) && (leftScalar || rightScalar))
            throw new PromQlSyntaxException($"set operator \"{op}\" not allowed in binary scalar expression", at.Position);
        if (Comparisons.Contains(op) && leftScalar && rightScalar && !matching.ReturnBool)
            throw new PromQlSyntaxException("comparisons between scalars must use BOOL modifier", at.Position);
        if (left is StringLiteral || right is StringLiteral)
            throw new PromQlSyntaxException($"binary expression must contain only scalar and instant vector types", at.Position);
    }

    private static bool IsScalar(PromQlNode node) => node switch
    {
        NumberLiteral => true,
        Parenthesized p => IsScalar(p.Inner),
        Unary u => IsScalar(u.Operand),
        Binary b => IsScalar(b.Left) && IsScalar(b.Right),
        FunctionCall f => f.Name is "scalar" or "time" or "pi",
        _ => false,
    };

    private PromQlNode Primary()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case TokenKind.Number:
                Take();
                return new NumberLiteral(token.Text);
            case TokenKind.String:
                Take();
                return new StringLiteral(token.Text);
            case TokenKind.LeftParen:
            {
                Take();
                var inner = Expression(0);
                Expect(TokenKind.RightParen, "\")\"");
                return new Parenthesized(inner);
            }
            case TokenKind.LeftBrace:
                return Selector(null, token.Position);
            case TokenKind.Identifier:
                return IdentifierExpression();
            default:
                throw Unexpected(token, "an expression");
        }
    }

    private PromQlNode IdentifierExpression()
    {
        var token = Take();
        var name = token.Text;
        if (name.Equals("inf", StringComparison.OrdinalIgnoreCase) || name.Equals("nan", StringComparison.OrdinalIgnoreCase))
            return new NumberLiteral(name);
        var following = Peek;
        if (Aggregations.Contains(name) && (following.Kind == TokenKind.LeftParen || IsGroupingKeyword(following)))
            return AggregationExpression(name.ToLowerInvariant());
        if (following.Kind == TokenKind.LeftParen)
            return Call(name, token);
        return Selector(name, token.Position);
    }

    private static bool IsGroupingKeyword(Token token) =>
        token.Kind == TokenKind.Identifier && (token.Text.Equals("by", StringComparison.OrdinalIgnoreCase) || token.Text.Equals("without", StringComparison.OrdinalIgnoreCase));

    private PromQlNode AggregationExpression(string op)
    {
        string? grouping = null;
        IReadOnlyList<string> labels = [];
        if (IsGroupingKeyword(Peek))
        {
            grouping = Take().Text.ToLowerInvariant();
            labels = LabelList();
        }
        var open = Expect(TokenKind.LeftParen, "\"(\"");
        PromQlNode? parameter = null;
        if (ParameterAggregations.Contains(op))
        {
            parameter = Expression(0);
            Expect(TokenKind.Comma, "\",\"");
        }
        if (Peek.Kind == TokenKind.RightParen) throw new PromQlSyntaxException($"no arguments for aggregate expression \"{op}\" provided", open.Position);
        var expression = Expression(0);
        Expect(TokenKind.RightParen, "\")\"");
        if (IsGroupingKeyword(Peek))
        {
            if (grouping is not null) throw Unexpected(Peek, "one grouping clause");
            grouping = Take().Text.ToLowerInvariant();
            labels = LabelList();
        }
        return new Aggregation(op, parameter, expression, grouping, labels);
    }

    private PromQlNode Call(string name, Token token)
    {
        if (!Functions.TryGetValue(name, out var arity)) throw new PromQlSyntaxException($"unknown function with name \"{name}\"", token.Position);
        Expect(TokenKind.LeftParen, "\"(\"");
        var arguments = new List<PromQlNode>();
        if (Peek.Kind != TokenKind.RightParen)
        {
            arguments.Add(Expression(0));
            while (Peek.Kind == TokenKind.Comma)
            {
                Take();
                arguments.Add(Expression(0));
            }
        }
        Expect(TokenKind.RightParen, "\")\"");
        if (arguments.Count < arity.Min || (arity.Max >= 0 && arguments.Count > arity.Max))
            throw new PromQlSyntaxException($"wrong number of arguments for function \"{name}\": {arguments.Count}", token.Position);
        return new FunctionCall(name, arguments);
    }

    private IReadOnlyList<string> LabelList()
    {
        Expect(TokenKind.LeftParen, "\"(\"");
        var labels = new List<string>();
        while (Peek.Kind != TokenKind.RightParen)
        {
            var label = Expect(TokenKind.Identifier, "a label name");
            if (label.Text.Contains(':')) throw new PromQlSyntaxException($"invalid label name \"{label.Text}\"", label.Position);
            labels.Add(label.Text);
            if (Peek.Kind != TokenKind.Comma) break;
            Take();
        }
        Expect(TokenKind.RightParen, "\")\"");
        return labels;
    }

    private VectorSelector Selector(string? metric, int position)
    {
        var matchers = new List<PromQlMatcher>();
        if (Peek.Kind == TokenKind.LeftBrace)
        {
            Take();
            while (Peek.Kind != TokenKind.RightBrace)
            {
                var label = Expect(TokenKind.Identifier, "a label name");
                var op = Expect(TokenKind.Operator, "a label matching operator");
                if (op.Text is not ("=" or "!=" or "=~" or "!~")) throw Unexpected(op, "a label matching operator");
                var value = Expect(TokenKind.String, "a quoted label value");
                if (op.Text is "=~" or "!~") CheckRegex(value);
                matchers.Add(new PromQlMatcher(label.Text, op.Text, value.Text));
                if (Peek.Kind != TokenKind.Comma) break;
                Take();
            }
            Expect(TokenKind.RightBrace, "\"}\"");
        }
        if (metric is not null && matchers.Any(m => m.Label == "__name__"))
            throw new PromQlSyntaxException($"metric name must not be set twice: \"{metric}\"", position);
        if (metric is null && !matchers.Any(MatchesSomething))
            throw new PromQlSyntaxException("vector selector must contain at least one non-empty matcher", position);
        return new VectorSelector(metric, matchers);
    }

    private static void CheckRegex(Token value)
    {
        try
        {
            _ = new Regex("^(?:" + value.Text + ")$", RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            throw new PromQlSyntaxException($"invalid regular expression \"{value.Text}\"", value.Position);
        }
    }

    /// <summary>A matcher that does not match the empty label value (Prometheus refuses selectors without one).</summary>
    private static bool MatchesSomething(PromQlMatcher m)
    {
        bool MatchesEmpty() => m.Operator switch
        {
            "=" => m.Value.Length == 0,
            "!=" => m.Value.Length != 0,
            "=~" => Regex.IsMatch("", "^(?:" + m.Value + ")$", RegexOptions.None, TimeSpan.FromMilliseconds(100)),
            _ => !Regex.IsMatch("", "^(?:" + m.Value + ")$", RegexOptions.None, TimeSpan.FromMilliseconds(100)),
        };
        return !MatchesEmpty();
    }

    private PromQlNode Postfix(PromQlNode node)
    {
        while (true)
        {
            var token = Peek;
            if (token.Kind == TokenKind.LeftBracket)
            {
                node = Range(node);
            }
            else if (token.Kind == TokenKind.Identifier && token.Text.Equals("offset", StringComparison.OrdinalIgnoreCase))
            {
                Take();
                var negative = Peek is { Kind: TokenKind.Operator, Text: "-" };
                if (negative) Take();
                var duration = Expect(TokenKind.Duration, "a duration after offset").Text;
                node = WithOffset(node, (negative ? "-" : "") + duration, token);
            }
            else if (token.Kind == TokenKind.At)
            {
                Take();
                node = WithAt(node, AtValue(), token);
            }
            else
            {
                return node;
            }
        }
    }

    private PromQlNode Range(PromQlNode node)
    {
        var open = Take();
        var range = Expect(TokenKind.Duration, "a duration").Text;
        if (Peek.Kind == TokenKind.Colon)
        {
            Take();
            string? step = null;
            if (Peek.Kind == TokenKind.Duration) step = Take().Text;
            Expect(TokenKind.RightBracket, "\"]\"");
            if (node is MatrixSelector) throw new PromQlSyntaxException("subquery is only allowed on instant vector", open.Position);
            return new Subquery(node, range, step);
        }
        Expect(TokenKind.RightBracket, "\"]\"");
        if (node is not VectorSelector vector)
            throw new PromQlSyntaxException("ranges only allowed for vector selectors", open.Position);
        if (vector.Offset is not null || vector.At is not null)
            throw new PromQlSyntaxException("offset and @ must come after the range", open.Position);
        return new MatrixSelector(vector, range);
    }

    private string AtValue()
    {
        var token = Peek;
        if (token.Kind == TokenKind.Number) return Take().Text;
        if (token is { Kind: TokenKind.Operator, Text: "-" or "+" } && PeekAt(1).Kind == TokenKind.Number)
        {
            Take();
            return token.Text + Take().Text;
        }
        if (token.Kind == TokenKind.Identifier && token.Text is "start" or "end" && PeekAt(1).Kind == TokenKind.LeftParen)
        {
            Take();
            Take();
            Expect(TokenKind.RightParen, "\")\"");
            return token.Text + "()";
        }
        throw Unexpected(token, "a timestamp, start() or end() after @");
    }

    private static PromQlNode WithOffset(PromQlNode node, string offset, Token at) => node switch
    {
        VectorSelector { Offset: null } v => v with { Offset = offset },
        MatrixSelector { Offset: null } m => m with { Offset = offset },
        Subquery { Offset: null } s => s with { Offset = offset },
        VectorSelector or MatrixSelector or Subquery => throw new PromQlSyntaxException("offset may not be set multiple times", at.Position),
        _ => throw new PromQlSyntaxException("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", at.Position),
    };

    private static PromQlNode WithAt(PromQlNode node, string value, Token at) => node switch
    {
        VectorSelector { At: null } v => v with { At = value },
        MatrixSelector { At: null } m => m with { At = value },
        Subquery { At: null } s => s with { At = value },
        VectorSelector or MatrixSelector or Subquery => throw new PromQlSyntaxException("@ <timestamp> may not be set multiple times", at.Position),
        _ => throw new PromQlSyntaxException("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", at.Position),
    };
}
