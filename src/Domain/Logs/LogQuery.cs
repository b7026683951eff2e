using System.Text;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Logs;

/// <summary>One term of a log query: a word or a "quoted phrase", which a line must contain, or (excluded) must not.</summary>
public sealed record LogTerm(string Text, bool Phrase, bool Excluded);

/// <summary>
/// The text query of a log search: words (all must occur), "quoted phrases" (their words next to each other, in order),
/// and exclusions (-word, -"phrase"). Matching is by word, case-insensitive: "time" does not match "timeout".
/// Parsing is bounded (length, number of terms) so that no query makes the database work without limit.
/// </summary>
public sealed record LogQuery(IReadOnlyList<LogTerm> Terms)
{
    public const int MaxLength = 1000;
    public const int MaxTerms = 20;
    public const string Field = "q";

    public static readonly LogQuery Empty = new([]);

    public bool IsEmpty => Terms.Count == 0;

    /// <summary>At least one word or phrase that must occur: a query of exclusions only would read every line of the range.</summary>
    public bool HasPositiveTerm => Terms.Any(t => !t.Excluded);

    public static bool TryParse(string? text, out LogQuery query, out DomainError? error)
    {
        var parsed = Parse(text);
        query = parsed.Query ?? Empty;
        error = parsed.Error;
        return error is null;
    }

    public static (LogQuery? Query, DomainError? Error) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (Empty, null);
        if (text.Length > MaxLength) return Fail($"A query has at most {MaxLength} characters.");
        var terms = new List<LogTerm>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i])) { i++; continue; }
            var excluded = false;
            if (text[i] == '-' && i + 1 < text.Length && !char.IsWhiteSpace(text[i + 1]))
            {
                excluded = true;
                i++;
            }
            string term;
            var phrase = text[i] == '"';
            if (phrase)
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0) return Fail($"The quote at position {i + 1} is not closed: put a \" after the phrase.");
                term = text[(i + 1)..end].Trim();
                i = end + 1;
                if (term.Length == 0) return Fail("A pair of quotes holds no phrase.");
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"') i++;
                if (i < text.Length && text[i] == '"')
                    return Fail($"A quote at position {i + 1} starts inside a word: leave a space before the phrase.");
                term = text[start..i];
            }
            if (!term.Any(char.IsLetterOrDigit))
                return Fail($"'{Shorten(term)}' has no letter or digit to search for.");
            if (term.Contains('\0')) return Fail("A query cannot contain a NUL character.");
            terms.Add(new LogTerm(phrase ? Collapse(term) : term, phrase, excluded));
            if (terms.Count > MaxTerms) return Fail($"A query has at most {MaxTerms} words and phrases.");
        }
        return (new LogQuery(terms), null);
    }

    private static (LogQuery?, DomainError?) Fail(string message) => (null, DomainError.Invalid(message, Field));

    private static string Collapse(string phrase)
    {
        var b = new StringBuilder(phrase.Length);
        foreach (var c in phrase)
            if (!char.IsWhiteSpace(c)) b.Append(c);
            else if (b.Length > 0 && b[^1] != ' ') b.Append(' ');
        return b.ToString().TrimEnd();
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    public override string ToString() =>
        string.Join(' ', Terms.Select(t => (t.Excluded ? "-" : "") + (t.Phrase ? $"\"{t.Text}\"" : t.Text)));
}
