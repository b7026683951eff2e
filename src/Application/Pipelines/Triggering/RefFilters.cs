namespace Cocktail.Application.Pipelines.Triggering;

/// <summary>
/// Branch (or tag) filters of a pipeline trigger: comma-separated glob patterns such as <c>main, release/*, !release/old</c>.
/// <c>*</c> and <c>?</c> stay within one path segment (they never match '/'), <c>**</c> matches across segments (and
/// <c>**/</c> also matches no segment at all), <c>!pattern</c> excludes, and an exclusion wins over any inclusion.
/// A filter of exclusions only lets everything else through; an empty filter lets everything through.
/// Matching is ordinal and case-sensitive, as Git ref names are, and runs in time proportional to pattern × name
/// (no backtracking, no regular expression), so a stored filter cannot be made to stall the webhook.
/// </summary>
public static class RefFilters
{
    public const int MaxLength = 500;
    public const int MaxPatterns = 20;

    public static bool Matches(string? filter, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.IsNullOrWhiteSpace(filter)) return true;
        var included = false;
        var anyInclusion = false;
        foreach (var entry in filter.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry[0] == '!')
            {
                if (entry.Length > 1 && Glob(entry.AsSpan(1), name)) return false;
                continue;
            }
            anyInclusion = true;
            included = included || Glob(entry, name);
        }
        return included || !anyInclusion;
    }

    /// <summary>Null when the filter is valid (an empty one included), else why not.</summary>
    public static string? Check(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter)) return null;
        if (filter.Length > MaxLength) return $"A filter is at most {MaxLength} characters.";
        var patterns = filter.Split(',', StringSplitOptions.TrimEntries);
        if (patterns.Length > MaxPatterns) return $"A filter has at most {MaxPatterns} patterns.";
        foreach (var pattern in patterns)
        {
            if (pattern.Length == 0 || pattern == "!") return "A filter has no empty pattern: remove the doubled or trailing comma.";
            if (pattern.Any(char.IsWhiteSpace)) return $"A pattern has no whitespace inside it: '{pattern}'.";
            if (pattern.Any(char.IsControl)) return "A pattern has no control characters.";
        }
        return null;
    }

    private enum Kind { Literal, One, Star, DoubleStar, DoubleStarSlash }

    private readonly record struct Token(Kind Kind, char Char = '\0');

    private static bool Glob(ReadOnlySpan<char> pattern, string name)
    {
        var tokens = Tokenize(pattern);
        // next[j]: whether tokens[i+1..] match name[j..]; filled from the last token backwards.
        var next = new bool[name.Length + 1];
        var current = new bool[name.Length + 1];
        next[name.Length] = true;
        for (var i = tokens.Count - 1; i >= 0; i--)
        {
            var token = tokens[i];
            current[name.Length] = token.Kind is Kind.Star or Kind.DoubleStar or Kind.DoubleStarSlash && next[name.Length];
            var slashAhead = false; // DoubleStarSlash: some '/' at k >= j with next[k + 1]
            for (var j = name.Length - 1; j >= 0; j--)
            {
                var c = name[j];
                if (c == '/' && next[j + 1]) slashAhead = true;
                current[j] = token.Kind switch
                {
                    Kind.Literal => c == token.Char && next[j + 1],
                    Kind.One => c != '/' && next[j + 1],
                    Kind.Star => next[j] || (c != '/' && current[j + 1]),
                    Kind.DoubleStar => next[j] || current[j + 1],
                    _ => next[j] || slashAhead,
                };
            }
            (next, current) = (current, next);
        }
        return next[0];
    }

    private static List<Token> Tokenize(ReadOnlySpan<char> pattern)
    {
        var tokens = new List<Token>(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                while (i + 1 < pattern.Length && pattern[i + 1] == '*') i++; // '***' is '**'
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    tokens.Add(new Token(Kind.DoubleStarSlash));
                    i++;
                }
                else tokens.Add(new Token(Kind.DoubleStar));
            }
            else tokens.Add(c switch { '*' => new Token(Kind.Star), '?' => new Token(Kind.One), _ => new Token(Kind.Literal, c) });
        }
        return tokens;
    }
}
