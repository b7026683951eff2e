namespace Cocktail.Web.Components.Pages.Clusters;

/// <summary>
/// Labels as admins type them: one "key=value" per line (commas work too). The rules on keys and values are the
/// command's; this only splits the text.
/// </summary>
public static class LabelsText
{
    public static (Dictionary<string, string> Labels, string? Error) Parse(string? text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return (labels, null);
        foreach (var raw in text.Split(['\n', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = raw.IndexOf('=');
            if (equals <= 0) return (labels, $"Write each label as key=value ('{raw}' has no key=value).");
            var key = raw[..equals].Trim();
            if (!labels.TryAdd(key, raw[(equals + 1)..].Trim())) return (labels, $"The label '{key}' is given twice.");
        }
        return (labels, null);
    }

    public static string Format(IReadOnlyDictionary<string, string> labels) =>
        string.Join('\n', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
}
