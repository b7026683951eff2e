using Cocktail.Domain.Provisioning;

namespace Cocktail.Web.Components.Pages.Provisioning;

/// <summary>
/// One node pool as the console edits it: labels and taints as people type them (<c>k=v, k2=v2</c> and
/// <c>key=value:Effect, key:Effect</c>). The rules on names, bounds, labels and taints are the blueprint's, checked on
/// the server; this only splits the text and says when it cannot.
/// </summary>
public sealed class PoolForm
{
    public string? Name { get; set; }
    public string? MachineType { get; set; }
    public int Replicas { get; set; } = 2;
    public int? MinSize { get; set; }
    public int? MaxSize { get; set; }
    public string? LabelsText { get; set; }
    public string? TaintsText { get; set; }
    public int GpusPerNode { get; set; }

    public static PoolForm From(NodePoolSpec pool) => new()
    {
        Name = pool.Name, MachineType = pool.MachineType, Replicas = pool.Replicas, MinSize = pool.MinSize, MaxSize = pool.MaxSize,
        LabelsText = FormatLabels(pool.Labels), TaintsText = FormatTaints(pool.Taints), GpusPerNode = pool.GpusPerNode,
    };

    public (Dictionary<string, string> Labels, string? Error) Labels() => ParseLabels(LabelsText);

    public (List<NodeTaint> Taints, string? Error) Taints() => ParseTaints(TaintsText);

    public static (Dictionary<string, string> Labels, string? Error) ParseLabels(string? text)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) return (labels, null);
        foreach (var raw in text.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = raw.IndexOf('=');
            if (equals <= 0) return (labels, $"Write each label as key=value ('{Short(raw)}' has no key=value).");
            var key = raw[..equals].Trim();
            if (!labels.TryAdd(key, raw[(equals + 1)..].Trim())) return (labels, $"The label '{Short(key)}' is given twice.");
        }
        return (labels, null);
    }

    public static (List<NodeTaint> Taints, string? Error) ParseTaints(string? text)
    {
        var taints = new List<NodeTaint>();
        if (string.IsNullOrWhiteSpace(text)) return (taints, null);
        foreach (var raw in text.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = raw.LastIndexOf(':');
            if (colon <= 0)
                return (taints, $"Write each taint as key=value:Effect or key:Effect ('{Short(raw)}' has no effect); effects: {string.Join(", ", NodeTaint.Effects)}.");
            var effect = raw[(colon + 1)..].Trim();
            var keyValue = raw[..colon];
            var equals = keyValue.IndexOf('=');
            var (key, value) = equals < 0 ? (keyValue.Trim(), null) : (keyValue[..equals].Trim(), keyValue[(equals + 1)..].Trim());
            taints.Add(new NodeTaint(key, string.IsNullOrEmpty(value) ? null : value, effect));
        }
        return (taints, null);
    }

    public static string FormatLabels(IReadOnlyDictionary<string, string>? labels) =>
        labels is null ? "" : string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    public static string FormatTaints(IReadOnlyList<NodeTaint>? taints) =>
        taints is null ? "" : string.Join(", ", taints.Select(t => t.Value is { Length: > 0 } v ? $"{t.Key}={v}:{t.Effect}" : $"{t.Key}:{t.Effect}"));

    private static string Short(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
