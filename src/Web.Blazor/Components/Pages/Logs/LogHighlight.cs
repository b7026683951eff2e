using System.Text.RegularExpressions;

namespace Cocktail.Web.Components.Pages.Logs;

/// <summary>
/// Marks what a text query looked for in a line, for the eye only: the store decides what matches. Words and "phrases"
/// are marked; -exclusions are not (a shown line does not contain them).
/// </summary>
public static class LogHighlight
{
    public static IReadOnlyList<string> Terms(string? query)
    {
        var terms = new List<string>();
        if (string.IsNullOrWhiteSpace(query)) return terms;
        var i = 0;
        while (i < query.Length)
        {
            if (char.IsWhiteSpace(query[i]))
            {
                i++;
                continue;
            }
            var excluded = query[i] == '-';
            if (excluded) i++;
            string term;
            if (i < query.Length && query[i] == '"')
            {
                var end = query.IndexOf('"', i + 1);
                if (end < 0) end = query.Length;
                term = query[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = i;
                while (end < query.Length && !char.IsWhiteSpace(query[end])) end++;
                term = query[i..end];
                i = end;
            }
            if (!excluded && term.Trim().Length > 0) terms.Add(term.Trim());
        }
        return terms;
    }

    /// <summary>The line cut into plain and marked parts.</summary>
    public static IEnumerable<(string Text, bool Match)> Parts(string line, IReadOnlyList<string> terms)
    {
        if (terms.Count == 0 || line.Length == 0)
        {
            yield return (line, false);
            yield break;
        }
        var pattern = new Regex(string.Join('|', terms.OrderByDescending(t => t.Length).Select(Regex.Escape)),
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
        var at = 0;
        IEnumerable<Match> matches;
        try
        {
            matches = pattern.Matches(line).ToList();
        }
        catch (RegexMatchTimeoutException)
        {
            matches = [];
        }
        foreach (var m in matches)
        {
            if (m.Length == 0) continue;
            if (m.Index > at) yield return (line[at..m.Index], false);
            yield return (m.Value, true);
            at = m.Index + m.Length;
        }
        if (at < line.Length) yield return (line[at..], false);
    }
}
