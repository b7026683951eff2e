using System.Globalization;

namespace Cocktail.Web.Components.Pipelines;

/// <summary>How delivery figures read: durations in the largest units that matter, rates in percent, digests and commits cut short.</summary>
public static class DeliveryFormat
{
    public static string Duration(double? seconds)
    {
        if (seconds is not { } s) return "—";
        var span = TimeSpan.FromSeconds(Math.Max(0, s));
        return span switch
        {
            { TotalDays: >= 1 } => Words($"{(int)span.TotalDays} d", span.Hours, "h"),
            { TotalHours: >= 1 } => Words($"{(int)span.TotalHours} h", span.Minutes, "min"),
            { TotalMinutes: >= 1 } => Invariant($"{(int)span.TotalMinutes} min"),
            _ => Invariant($"{(int)span.TotalSeconds} s"),
        };
    }

    public static string Percent(double? rate) => rate is { } r ? Invariant($"{r * 100:0.#} %") : "—";

    public static string PerDay(double perDay) => Invariant($"{perDay:0.##}");

    /// <summary>"sha256:0123456789ab": enough to tell images apart in a list; the whole digest is on hover.</summary>
    public static string ShortDigest(string digest) => digest.Length > 19 ? digest[..19] : digest;

    public static string ShortCommit(string? commit) => commit is null ? "—" : commit.Length > 7 ? commit[..7] : commit;

    private static string Words(string whole, int part, string unit) => part == 0 ? whole : Invariant($"{whole} {part} {unit}");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
