using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Web.Components.Pages.Workspaces;

/// <summary>How the tenancy pages write quotas: Kubernetes quantities as typed, one bar per resource.</summary>
public static class TenancyFormat
{
    public static readonly IReadOnlyList<(string Resource, string Label)> Resources =
    [
        ("cpu", "CPU"), ("memory", "Memory"), ("gpu", "GPU"), ("storage", "Storage"), ("pods", "Pods"),
    ];

    /// <summary>"2Gi", "500m": memory and storage in binary units, the rest as plain or milli quantities.</summary>
    public static string Amount(string resource, Quantity quantity) => QuotaTotals.Format(resource, quantity);

    /// <summary>"1 / 4 cores", "2Gi / 8Gi".</summary>
    public static string Of(string resource, Quantity used, Quantity total) =>
        $"{Amount(resource, used)} / {Amount(resource, total)}" + (resource == "cpu" ? " cores" : "");

    /// <summary>A whole number for the bars (which compare longs): thousandths, so "500m" of a core still shows.</summary>
    public static long Scaled(Quantity quantity) =>
        (long)Math.Clamp(decimal.Round(quantity.Value * 1000m), 0m, long.MaxValue / 4);

    /// <summary>"cpu 4 · memory 8Gi · gpu 1 · storage 50Gi · pods 40" (resources left out are zero).</summary>
    public static string Describe(Quota? quota) =>
        quota is null ? "—" : string.Join(" · ", Resources.Select(r => $"{r.Resource} {quota[r.Resource] ?? "0"}"));

    public static string Describe(DefaultLimits? limits)
    {
        if (limits is null) return "none";
        var parts = new List<string>();
        if (limits.Cpu is not null || limits.Memory is not null) parts.Add($"limits cpu {limits.Cpu ?? "—"}, memory {limits.Memory ?? "—"}");
        if (limits.RequestCpu is not null || limits.RequestMemory is not null)
            parts.Add($"requests cpu {limits.RequestCpu ?? "—"}, memory {limits.RequestMemory ?? "—"}");
        return parts.Count == 0 ? "none" : string.Join("; ", parts);
    }

    public static Quantity Parse(string? text) => Quantity.TryParse(text, out var q) ? q : Quantity.Zero;
}
