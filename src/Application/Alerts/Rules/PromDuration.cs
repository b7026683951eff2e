using System.Globalization;
using System.Text.RegularExpressions;

namespace Cocktail.Application.Alerts.Rules;

/// <summary>Prometheus durations as rules write them: "30s", "5m", "1h30m", "0s".</summary>
public static partial class PromDuration
{
    [GeneratedRegex(@"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || match.Length == 0) return false;
        long Part(int i) => match.Groups[i].Success ? long.Parse(match.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        try
        {
            duration = TimeSpan.FromDays(Part(1)) + TimeSpan.FromHours(Part(2)) + TimeSpan.FromMinutes(Part(3)) + TimeSpan.FromSeconds(Part(4));
            return true;
        }
        catch (OverflowException) { return false; }
    }

    public static string Format(TimeSpan d)
    {
        if (d == TimeSpan.Zero) return "0s";
        var text = "";
        if (d.Days > 0) text += $"{d.Days}d";
        if (d.Hours > 0) text += $"{d.Hours}h";
        if (d.Minutes > 0) text += $"{d.Minutes}m";
        if (d.Seconds > 0) text += $"{d.Seconds}s";
        return text;
    }
}
