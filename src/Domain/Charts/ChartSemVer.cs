namespace Cocktail.Domain.Charts;

/// <summary>
/// Chart versions are SemVer 2 (Helm requires it): compared by major, minor, patch, then a release before any of its
/// pre-releases, as Helm and Masterminds/semver order them. A leading 'v' is allowed, as Helm allows it.
/// </summary>
public static class ChartSemVer
{
    public const int MaxLength = 64;

    public static bool TryParse(string? text, out (long Major, long Minor, long Patch, string Pre) version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxLength) return false;
        var s = text.Trim();
        if (s.StartsWith('v')) s = s[1..];
        var plus = s.IndexOf('+');
        if (plus >= 0) s = s[..plus];
        var dash = s.IndexOf('-');
        var pre = dash >= 0 ? s[(dash + 1)..] : "";
        var core = (dash >= 0 ? s[..dash] : s).Split('.');
        if (core.Length is < 1 or > 3) return false;
        var numbers = new long[3];
        for (var i = 0; i < core.Length; i++)
            if (!long.TryParse(core[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out numbers[i])) return false;
        version = (numbers[0], numbers[1], numbers[2], pre);
        return true;
    }

    /// <summary>Negative when <paramref name="a"/> is older; versions that do not parse sort by their text, after the ones that do.</summary>
    public static int Compare(string a, string b)
    {
        var okA = TryParse(a, out var va);
        var okB = TryParse(b, out var vb);
        if (!okA || !okB) return okA ? -1 : okB ? 1 : string.CompareOrdinal(a, b);
        var c = va.Major.CompareTo(vb.Major);
        if (c == 0) c = va.Minor.CompareTo(vb.Minor);
        if (c == 0) c = va.Patch.CompareTo(vb.Patch);
        if (c != 0) return c;
        if (va.Pre.Length == 0 && vb.Pre.Length == 0) return 0;
        if (va.Pre.Length == 0) return 1; // 1.2.0 is newer than 1.2.0-rc.1
        if (vb.Pre.Length == 0) return -1;
        return ComparePre(va.Pre, vb.Pre);
    }

    private static int ComparePre(string a, string b)
    {
        var pa = a.Split('.');
        var pb = b.Split('.');
        for (var i = 0; i < Math.Min(pa.Length, pb.Length); i++)
        {
            var na = long.TryParse(pa[i], out var ia);
            var nb = long.TryParse(pb[i], out var ib);
            var c = na && nb ? ia.CompareTo(ib) : na ? -1 : nb ? 1 : string.CompareOrdinal(pa[i], pb[i]);
            if (c != 0) return c;
        }
        return pa.Length.CompareTo(pb.Length);
    }
}
