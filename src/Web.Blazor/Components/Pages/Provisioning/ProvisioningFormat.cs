using Cocktail.Domain.Provisioning;
using MudBlazor;

namespace Cocktail.Web.Components.Pages.Provisioning;

public static class ProvisioningFormat
{
    public static Color StatusColor(ProvisioningStatus status) => status switch
    {
        ProvisioningStatus.Provisioned => Color.Success,
        ProvisioningStatus.Failed => Color.Error,
        ProvisioningStatus.Deleting or ProvisioningStatus.Deleted => Color.Default,
        _ => Color.Info,
    };

    public static Color ConditionColor(string? status) => status switch
    {
        "True" => Color.Success,
        "False" => Color.Error,
        _ => Color.Default,
    };

    /// <summary>
    /// The server's field errors keyed as the form's fields: the blueprint's own paths (<c>nodePools[1].minSize</c>)
    /// whether the command nests them under <c>blueprint.</c> / <c>pool.</c> or not.
    /// </summary>
    public static Dictionary<string, string[]> Fields(IReadOnlyDictionary<string, string[]>? errors, params string[] prefixes)
    {
        var fields = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, messages) in errors ?? new Dictionary<string, string[]>())
        {
            var field = key;
            foreach (var prefix in prefixes)
                if (field.StartsWith(prefix + ".", StringComparison.Ordinal)) field = field[(prefix.Length + 1)..];
            fields[field] = fields.TryGetValue(field, out var known) ? [.. known, .. messages] : messages;
        }
        return fields;
    }

    /// <summary>The messages of a field and of everything under it (<c>nodePools[0].taints[1]</c> under <c>nodePools[0].taints</c>).</summary>
    public static string? Under(this IReadOnlyDictionary<string, string[]> errors, string field)
    {
        var messages = errors.Where(e => e.Key == field || e.Key.StartsWith(field + "[", StringComparison.Ordinal) || e.Key.StartsWith(field + ".", StringComparison.Ordinal))
            .SelectMany(e => e.Value).Distinct().ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    /// <summary>The version one minor after <paramref name="version"/> (v1.33.2 → v1.34.0), the only upgrade Kubernetes supports.</summary>
    public static string NextMinor(string version) =>
        KubernetesVersion.TryParse(version, out var v) ? new KubernetesVersion(v.Major, v.Minor + 1, 0).ToString() : "";

    public static string Bounds(NodePoolSpec pool) =>
        pool.MinSize is null && pool.MaxSize is null ? "off" : $"{pool.MinSize?.ToString() ?? "?"}–{pool.MaxSize?.ToString() ?? "?"}";
}
