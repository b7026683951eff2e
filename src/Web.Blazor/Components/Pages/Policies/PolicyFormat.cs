using Cocktail.Domain.Policies;

namespace Cocktail.Web.Components.Pages.Policies;

/// <summary>A security policy's rules in the console's words, keyed by the field names the API and its errors use.</summary>
public static class PolicyFormat
{
    public sealed record Rule(string Field, string Label, Func<SecurityPolicy, string> Value);

    public static readonly IReadOnlyList<Rule> Rules =
    [
        new("podSecurity", "Pod Security level", p => p.PodSecurity is { } level ? SecurityPolicy.Name(level) : "not set"),
        new("allowedRegistries", "Allowed registries", p => p.Registries.Count == 0 ? "any" : string.Join(", ", p.Registries)),
        new("forbidLatestTag", "Latest or untagged images", p => p.ForbidLatestTag ? "forbidden" : "allowed"),
        new("requireLimits", "CPU and memory limits", p => p.RequireLimits ? "required" : "optional"),
        new("forbidPrivilegeEscalation", "Privilege escalation", p => p.ForbidPrivilegeEscalation ? "forbidden" : "allowed"),
        new("forbidHostPath", "Host path volumes", p => p.ForbidHostPath ? "forbidden" : "allowed"),
        new("maxReplicas", "Replicas", p => p.MaxReplicas is { } max ? $"at most {max}" : "no limit"),
        new("images.blockCritical", "Images with critical vulnerabilities", p => p.ImageRules.BlockCritical ? "blocked" : "allowed"),
        new("images.maxHigh", "High vulnerabilities per image", p => p.ImageRules.MaxHigh is { } high ? $"at most {high}" : "no limit"),
        new("images.onlyWithFix", "Vulnerabilities counted", p => p.ImageRules.OnlyWithFix ? "only those with a fix" : "all"),
        new("images.requireScan", "Unscanned images", p => p.ImageRules.ScanRequired ? "blocked" : "allowed"),
        new("images.maxScanAgeDays", "Scan age", p => p.ImageRules.MaxScanAgeDays is { } days ? $"at most {days} days" : "any"),
    ];

    /// <summary>One line: only the rules that restrict something.</summary>
    public static string Summary(SecurityPolicy policy)
    {
        var parts = new List<string>();
        if (policy.PodSecurity is { } level) parts.Add($"Pod Security {SecurityPolicy.Name(level)}");
        if (policy.Registries.Count > 0) parts.Add($"images from {string.Join(", ", policy.Registries)} only");
        if (policy.ForbidLatestTag) parts.Add("pinned image tags");
        if (policy.RequireLimits) parts.Add("CPU and memory limits required (a service map's default limits count)");
        if (policy.ForbidPrivilegeEscalation) parts.Add("no privilege escalation");
        if (policy.ForbidHostPath) parts.Add("no host paths");
        if (policy.MaxReplicas is { } max) parts.Add($"at most {max} replicas");
        var images = policy.ImageRules;
        var fix = images.OnlyWithFix ? " with a fix" : "";
        if (images.BlockCritical) parts.Add($"no images with critical vulnerabilities{fix}");
        if (images.MaxHigh is { } high) parts.Add($"at most {high} high vulnerabilities{fix} per image");
        if (images.MaxScanAgeDays is { } days) parts.Add($"images scanned within {days} days");
        else if (images.RequireScan) parts.Add("scanned images only");
        return parts.Count == 0 ? "no rules: anything Kubernetes accepts" : string.Join(" · ", parts);
    }
}
