using System.Globalization;
using System.Text.RegularExpressions;

namespace Cocktail.KubeSim.Json;

/// <summary>
/// resource.Quantity: parses "250m", "1.5", "128Mi", "2G", "1e3" and prints the canonical form the apiserver
/// prints in quota messages and statuses (largest suffix that keeps the number whole, in the operand's format).
/// </summary>
public readonly partial record struct Quantity(decimal Value, bool Binary)
{
    public static readonly Quantity Zero = new(0, false);

    [GeneratedRegex(@"^([+-]?[0-9.]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$")]
    private static partial Regex Pattern();

    static readonly Dictionary<string, decimal> Suffixes = new()
    {
        ["n"] = 1e-9m, ["u"] = 1e-6m, ["m"] = 1e-3m, [""] = 1m, ["k"] = 1e3m, ["M"] = 1e6m, ["G"] = 1e9m,
        ["T"] = 1e12m, ["P"] = 1e15m, ["E"] = 1e18m,
        ["Ki"] = 1024m, ["Mi"] = 1024m * 1024, ["Gi"] = 1024m * 1024 * 1024, ["Ti"] = 1024m * 1024 * 1024 * 1024,
        ["Pi"] = 1024m * 1024 * 1024 * 1024 * 1024, ["Ei"] = 1024m * 1024 * 1024 * 1024 * 1024 * 1024,
    };

    public static bool TryParse(string? text, out Quantity quantity)
    {
        quantity = Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var m = Pattern().Match(text.Trim());
        if (!m.Success || !decimal.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return false;
        var suffix = m.Groups[2].Value;
        if (suffix.Length > 1 && suffix[0] is 'e' or 'E')
        {
            quantity = new Quantity(number * (decimal)Math.Pow(10, int.Parse(suffix[1..], CultureInfo.InvariantCulture)), false);
            return true;
        }
        quantity = new Quantity(number * Suffixes[suffix], suffix.EndsWith('i'));
        return true;
    }

    public static Quantity Parse(string? text) => TryParse(text, out var q) ? q : Zero;

    public static Quantity operator +(Quantity a, Quantity b) => new(a.Value + b.Value, a.Value == 0 ? b.Binary : a.Binary);
    public static Quantity operator -(Quantity a, Quantity b) => new(a.Value - b.Value, a.Binary);
    public static Quantity operator *(Quantity a, decimal factor) => new(a.Value * factor, a.Binary);

    public override string ToString()
    {
        if (Value == 0) return "0";
        if (Binary && Value == decimal.Truncate(Value))
        {
            foreach (var s in new[] { "Ei", "Pi", "Ti", "Gi", "Mi", "Ki" })
                if (Value % Suffixes[s] == 0) return (Value / Suffixes[s]).ToString(CultureInfo.InvariantCulture) + s;
            return Value.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var s in new[] { "E", "P", "T", "G", "M", "k", "", "m", "u", "n" })
        {
            var scaled = Value / Suffixes[s];
            if (scaled == decimal.Truncate(scaled)) return decimal.Truncate(scaled).ToString(CultureInfo.InvariantCulture) + s;
        }
        return Value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>CPU in nanocores, as metrics-server reports usage ("123456789n").</summary>
    public string ToNanoString() => decimal.Truncate(Value * 1e9m).ToString(CultureInfo.InvariantCulture) + "n";

    /// <summary>Memory in Ki, as metrics-server reports usage.</summary>
    public string ToKibiString() => decimal.Truncate(Value / 1024m).ToString(CultureInfo.InvariantCulture) + "Ki";
}
