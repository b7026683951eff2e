using Cocktail.Domain.Common;

namespace Cocktail.Domain.ImageScanning;

/// <summary>
/// Which images a workspace or a service map lets run, judged by their latest scan. Null means no rule.
/// <see cref="OnlyWithFix"/> counts only vulnerabilities a fixed version exists for: it loosens the other rules, so
/// below the workspace it holds only when both ask for it. A maximum scan age requires a scan, as a missing scan is
/// older than any.
/// </summary>
public sealed record ImageScanPolicy(
    bool BlockCritical = false,
    int? MaxHigh = null,
    bool OnlyWithFix = false,
    bool RequireScan = false,
    int? MaxScanAgeDays = null)
{
    public const int MaxDays = 3650;

    public static readonly ImageScanPolicy None = new();

    public static DomainError? Check(ImageScanPolicy policy)
    {
        if (policy.MaxHigh is < 0) return DomainError.Invalid("maxHigh is 0 or more.", "maxHigh");
        if (policy.MaxScanAgeDays is < 1 or > MaxDays) return DomainError.Invalid($"maxScanAgeDays is between 1 and {MaxDays}.", "maxScanAgeDays");
        return null;
    }

    /// <summary>Whether any rule judges images: only then does the cluster ask Cocktail before it admits a pod.</summary>
    public bool Gates => BlockCritical || MaxHigh is not null || ScanRequired;

    /// <summary>Whether an image without a scan is refused.</summary>
    public bool ScanRequired => RequireScan || MaxScanAgeDays is not null;

    /// <summary>The policy that applies in a service map: every rule of both, the stricter of each.</summary>
    public static ImageScanPolicy Effective(ImageScanPolicy workspace, ImageScanPolicy serviceMap) => new(
        BlockCritical: workspace.BlockCritical || serviceMap.BlockCritical,
        MaxHigh: Smaller(workspace.MaxHigh, serviceMap.MaxHigh),
        OnlyWithFix: workspace.OnlyWithFix && serviceMap.OnlyWithFix,
        RequireScan: workspace.RequireScan || serviceMap.RequireScan,
        MaxScanAgeDays: Smaller(workspace.MaxScanAgeDays, serviceMap.MaxScanAgeDays));

    /// <summary>The fields where a service map's policy would loosen its workspace's (empty when it only tightens).</summary>
    public static IReadOnlyList<(string Field, string Message)> Loosening(ImageScanPolicy workspace, ImageScanPolicy serviceMap)
    {
        var problems = new List<(string, string)>();
        if (workspace.BlockCritical && !serviceMap.BlockCritical) problems.Add(("blockCritical", "The workspace blocks critical vulnerabilities."));
        if (workspace.MaxHigh is { } high && (serviceMap.MaxHigh is null || serviceMap.MaxHigh > high))
            problems.Add(("maxHigh", $"The workspace allows at most {high} high vulnerabilities."));
        if (!workspace.OnlyWithFix && serviceMap.OnlyWithFix)
            problems.Add(("onlyWithFix", "The workspace counts vulnerabilities without a fix too."));
        if (workspace.RequireScan && !serviceMap.RequireScan) problems.Add(("requireScan", "The workspace requires a scan."));
        if (workspace.MaxScanAgeDays is { } days && (serviceMap.MaxScanAgeDays is null || serviceMap.MaxScanAgeDays > days))
            problems.Add(("maxScanAgeDays", $"The workspace requires a scan at most {days} days old."));
        return problems;
    }

    private static int? Smaller(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
}
