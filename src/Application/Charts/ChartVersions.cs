using System.Globalization;
using System.Text;

namespace Cocktail.Application.Charts;

/// <summary>
/// Chart versions are SemVer 2 (Helm requires it; Helm's semver library, Masterminds/semver, also reads a leading
/// <c>v</c> and missing minor/patch parts). Newest first means SemVer precedence: numbers compare numerically and a
/// pre-release sorts before its release.
/// </summary>
public static class ChartVersions
{
    public static bool TryParse(string? text, out (long Major, long Minor, long Patch, string? Pre) version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 128) return false;
        var v = text.StartsWith('v') ? text[1..] : text;
        var plus = v.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0) v = v[..plus];
        string? pre = null;
        var dash = v.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            pre = v[(dash + 1)..];
            v = v[..dash];
            if (pre.Length == 0) return false;
        }
        var parts = v.Split('.');
        if (parts.Length is < 1 or > 3) return false;
        var numbers = new long[3];
        for (var i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i])) return false;
        version = (numbers[0], numbers[1], numbers[2], pre);
        return true;
    }

    /// <summary>
    /// A text whose ordinal order is SemVer precedence (for an index column): zero-padded numbers, then '~' for a
    /// release (after any pre-release) or '!' and the pre-release's identifiers (numeric ones padded). Not a version: "".
    /// </summary>
    public static string SortKey(string? text)
    {
        if (!TryParse(text, out var v)) return "";
        var key = new StringBuilder();
        key.Append(CultureInfo.InvariantCulture, $"{v.Major:D12}.{v.Minor:D12}.{v.Patch:D12}");
        if (v.Pre is null) return key.Append('~').ToString();
        key.Append('!');
        foreach (var identifier in v.Pre.Split('.'))
        {
            // Numeric identifiers sort before alphanumeric ones and by value.
            key.Append(long.TryParse(identifier, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? $"0{n:D12}." : $"1{identifier}.");
        }
        return key.ToString();
    }

    public static int Compare(string? a, string? b) => string.CompareOrdinal(SortKey(a), SortKey(b));
}
