using System.Globalization;
using System.Text.RegularExpressions;

namespace Cocktail.Domain.Common;

/// <summary>
/// A Kubernetes resource quantity ("500m", "1.5", "2Gi", "1e3", "40"), held exactly as a decimal number of base
/// units (cores, bytes, GPUs, pods). Arithmetic and comparison are exact, so quota sums never drift.
/// </summary>
public readonly partial record struct Quantity(decimal Value) : IComparable<Quantity>
{
    public static readonly Quantity Zero = new(0m);

    private static readonly Dictionary<string, decimal> Suffixes = new(StringComparer.Ordinal)
    {
        [""] = 1m, ["m"] = 0.001m, ["u"] = 0.000001m, ["n"] = 0.000000001m,
        ["k"] = 1e3m, ["M"] = 1e6m, ["G"] = 1e9m, ["T"] = 1e12m, ["P"] = 1e15m, ["E"] = 1e18m,
        ["Ki"] = 1024m, ["Mi"] = 1024m * 1024, ["Gi"] = 1024m * 1024 * 1024, ["Ti"] = 1024m * 1024 * 1024 * 1024,
        ["Pi"] = 1024m * 1024 * 1024 * 1024 * 1024, ["Ei"] = 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    };

    [GeneratedRegex(@"^(?<number>[+-]?(\d+(\.\d*)?|\.\d+))(?<suffix>[a-zA-Z]{0,2}|[eE][+-]?\d+)$")]
    private static partial Regex Syntax();

    public static bool TryParse(string? text, out Quantity quantity)
    {
        quantity = Zero;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64) return false;
        var match = Syntax().Match(text.Trim());
        if (!match.Success) return false;
        if (!decimal.TryParse(match.Groups["number"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            return false;
        var suffix = match.Groups["suffix"].Value;
        try
        {
            if (suffix.Length > 1 && suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], out var exponent))
            {
                if (Math.Abs(exponent) > 18) return false;
                quantity = new Quantity(number * Pow10(exponent));
                return true;
            }
            if (!Suffixes.TryGetValue(suffix, out var multiplier)) return false;
            quantity = new Quantity(number * multiplier);
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static Quantity Parse(string text) =>
        TryParse(text, out var q) ? q : throw new FormatException($"'{text}' is not a Kubernetes quantity.");

    public bool IsNegative => Value < 0;

    public static Quantity operator +(Quantity a, Quantity b) => new(a.Value + b.Value);
    public static Quantity operator -(Quantity a, Quantity b) => new(a.Value - b.Value);
    public static bool operator >(Quantity a, Quantity b) => a.Value > b.Value;
    public static bool operator <(Quantity a, Quantity b) => a.Value < b.Value;
    public static bool operator >=(Quantity a, Quantity b) => a.Value >= b.Value;
    public static bool operator <=(Quantity a, Quantity b) => a.Value <= b.Value;
    public int CompareTo(Quantity other) => Value.CompareTo(other.Value);

    /// <summary>CPU-style text: whole numbers plain, fractions in millis ("500m").</summary>
    public string ToDecimalString()
    {
        if (Value == decimal.Truncate(Value)) return Value.ToString("0", CultureInfo.InvariantCulture);
        var millis = Value * 1000m;
        return millis == decimal.Truncate(millis)
            ? millis.ToString("0", CultureInfo.InvariantCulture) + "m"
            : Value.ToString("0.######", CultureInfo.InvariantCulture);
    }

    /// <summary>Memory-style text: the largest binary suffix that divides exactly ("1536Mi", "2Gi").</summary>
    public string ToBinaryString()
    {
        foreach (var suffix in new[] { "Ei", "Pi", "Ti", "Gi", "Mi", "Ki" })
        {
            var unit = Suffixes[suffix];
            if (Value >= unit && Value % unit == 0) return (Value / unit).ToString("0", CultureInfo.InvariantCulture) + suffix;
        }
        return ToDecimalString();
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++) result *= 10m;
        return exponent < 0 ? 1m / result : result;
    }

    public override string ToString() => ToDecimalString();
}
