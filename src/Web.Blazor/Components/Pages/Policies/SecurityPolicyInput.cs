using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Web.Components.Pages.Policies;

/// <summary>The policy form's fields; registries are typed as a list separated by commas, spaces or lines.</summary>
public sealed class SecurityPolicyInput
{
    public PodSecurityLevel? PodSecurity { get; set; }
    public string? Registries { get; set; }
    public bool ForbidLatestTag { get; set; }
    public bool RequireLimits { get; set; }
    public bool ForbidPrivilegeEscalation { get; set; }
    public bool ForbidHostPath { get; set; }
    public int? MaxReplicas { get; set; }
    public bool BlockCritical { get; set; }
    public int? MaxHigh { get; set; }
    public bool OnlyWithFix { get; set; }
    public bool RequireScan { get; set; }
    public int? MaxScanAgeDays { get; set; }

    public static SecurityPolicyInput From(SecurityPolicy policy) => new()
    {
        PodSecurity = policy.PodSecurity,
        Registries = string.Join(", ", policy.Registries),
        ForbidLatestTag = policy.ForbidLatestTag,
        RequireLimits = policy.RequireLimits,
        ForbidPrivilegeEscalation = policy.ForbidPrivilegeEscalation,
        ForbidHostPath = policy.ForbidHostPath,
        MaxReplicas = policy.MaxReplicas,
        BlockCritical = policy.ImageRules.BlockCritical,
        MaxHigh = policy.ImageRules.MaxHigh,
        OnlyWithFix = policy.ImageRules.OnlyWithFix,
        RequireScan = policy.ImageRules.RequireScan,
        MaxScanAgeDays = policy.ImageRules.MaxScanAgeDays,
    };

    public SecurityPolicy ToPolicy()
    {
        var registries = (Registries ?? "").Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
        var images = new ImageScanPolicy(BlockCritical, MaxHigh, OnlyWithFix, RequireScan, MaxScanAgeDays);
        return new SecurityPolicy(PodSecurity, registries.Count == 0 ? null : registries, ForbidLatestTag, RequireLimits,
            ForbidPrivilegeEscalation, ForbidHostPath, MaxReplicas, images == ImageScanPolicy.None ? null : images);
    }
}
