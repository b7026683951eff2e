using Cocktail.Application.Releases;
using Cocktail.Domain.Charts;
using MudBlazor;

namespace Cocktail.Web.Components.Pages.Releases;

/// <summary>How releases read in the console: their state as Flux reports it, and the server's field errors split for the values editor.</summary>
public static class ReleaseFormat
{
    /// <summary>
    /// Deployed is Flux's <c>Ready</c> True (the release is installed or upgraded and its revision runs); Pending is a
    /// change recorded and not yet reported back; Failed carries Flux's reason (InstallFailed, UpgradeFailed, ...).
    /// </summary>
    public static string State(ChartReleaseView release) => release.Status switch
    {
        ChartReleaseStatus.Deployed => "Ready",
        ChartReleaseStatus.Pending => release.ApplyError is not null ? "Not applied" : release.AppliedRevision == release.Revision ? "Releasing" : "Pending",
        ChartReleaseStatus.Failed => release.Failure is { } f ? $"Failed: {f.Reason}" : "Failed",
        ChartReleaseStatus.Uninstalling => "Uninstalling",
        ChartReleaseStatus.Uninstalled => "Uninstalled",
        _ => release.Status.ToString(),
    };

    public static Color Color(ChartReleaseStatus status) => status switch
    {
        ChartReleaseStatus.Deployed => MudBlazor.Color.Success,
        ChartReleaseStatus.Failed => MudBlazor.Color.Error,
        ChartReleaseStatus.Pending or ChartReleaseStatus.Uninstalling => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };

    /// <summary>Whether Flux has still something to report: the page follows it closely until it has.</summary>
    public static bool Settling(ChartReleaseStatus status) => status is ChartReleaseStatus.Pending or ChartReleaseStatus.Uninstalling;

    /// <summary>The schema's complaints about the values, one line per path (<c>replicaCount: must be ≥ 1</c>), for beside the editor.</summary>
    public static IReadOnlyList<string> ValueErrors(IReadOnlyDictionary<string, string[]>? errors) =>
        errors is null ? [] :
        [.. errors.Where(e => e.Key == "values" || e.Key.StartsWith("values.", StringComparison.Ordinal) || e.Key.StartsWith("values[", StringComparison.Ordinal))
            .SelectMany(e => e.Value.Select(m => e.Key == "values" ? m : $"{e.Key["values".Length..].TrimStart('.')}: {m}"))];

    /// <summary>The messages for one other field (version, name, repository...), or null.</summary>
    public static string? Field(IReadOnlyDictionary<string, string[]>? errors, string field) =>
        errors is not null && errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    /// <summary>Whether the failure said anything about the fields named (else the dialog shows its message on its own).</summary>
    public static bool Covers(IReadOnlyDictionary<string, string[]>? errors, params string[] fields) =>
        errors is not null && errors.Keys.Any(k => fields.Any(f => k == f || k.StartsWith(f + ".", StringComparison.Ordinal) || k.StartsWith(f + "[", StringComparison.Ordinal)));

    public static string Kind(string change) => change switch
    {
        "install" => "Installed",
        "values" => "Values changed",
        "upgrade" => "Upgraded",
        "rollback" => "Rolled back",
        "uninstall" => "Uninstall asked",
        "applied" => "Applied to the cluster",
        "apply-failed" => "Not applied",
        "deployed" => "Deployed",
        "failed" => "Failed",
        "remediated" => "Remediated",
        "uninstalled" => "Uninstalled",
        _ => change,
    };
}
