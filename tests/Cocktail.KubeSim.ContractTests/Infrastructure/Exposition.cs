using System.Globalization;
using System.Text.RegularExpressions;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>One sample of a Prometheus text exposition.</summary>
public sealed record ExposedSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string this[string label] => Labels.GetValueOrDefault(label) ?? "";
}

/// <summary>
/// A strict reader of the text exposition format 0.0.4: every sample belongs to a family announced by # HELP and
/// # TYPE before it, names and label names are valid, label values are escaped properly, values are floats.
/// </summary>
public static partial class Exposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static (IReadOnlyList<ExposedSample> Samples, IReadOnlyDictionary<string, string> Types) Parse(string text)
    {
        var samples = new List<ExposedSample>();
        var types = new Dictionary<string, string>();
        var helps = new HashSet<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith("# HELP ", StringComparison.Ordinal)) { helps.Add(line.Split(' ')[2]); continue; }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Contains(parts[3], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.True(types.TryAdd(parts[2], parts[3]), $"family {parts[2]} typed twice");
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            var name = match.Groups["name"].Value;
            Assert.True(types.ContainsKey(name) && helps.Contains(name), $"{name} has no # HELP/# TYPE before it");
            var labels = new Dictionary<string, string>();
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
                Assert.True(labels.TryAdd(label.Groups["k"].Value, Unescape(label.Groups["v"].Value)), $"label repeated: {line}");
            var valueText = match.Groups["value"].Value;
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN,
                _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new ExposedSample(name, labels, value));
        }
        return (samples, types);
    }

    static string Unescape(string value) => value.Replace("\\n", "\n").Replace("\\\"", "\"").Replace("\\\\", "\\");

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*)\})? (?<value>\S+)( -?\d+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<v>([^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();
}
