using System.Globalization;
using System.Text.RegularExpressions;

namespace Cocktail.Application.Alerts.Rules;

/// <summary>A rule's summary with <c>{{ $labels.x }}</c> and <c>{{ $value }}</c> filled in, as Prometheus' templates do.</summary>
public static partial class SummaryTemplate
{
    [GeneratedRegex(@"\{\{\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"\{\{\s*\$value\s*\}\}")]
    private static partial Regex ValuePattern();

    public static string Render(string? template, string ruleName, IReadOnlyDictionary<string, string> labels, double? value)
    {
        if (string.IsNullOrWhiteSpace(template))
            return value is { } v ? $"{ruleName}: {Format(v)}" : ruleName;
        var text = LabelPattern().Replace(template, m => labels.TryGetValue(m.Groups[1].Value, out var l) ? l : "");
        return ValuePattern().Replace(text, _ => value is { } v ? Format(v) : "");
    }

    public static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
