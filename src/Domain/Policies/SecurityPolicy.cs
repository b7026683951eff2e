using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Policies;

/// <summary>
/// What workloads must meet in a workspace or a service map. Empty registries mean any registry; null means no
/// rule. A service map's policy may only tighten its workspace's. <see cref="Images"/> is the image gate: which images
/// may run judged by their vulnerability scans (null, as in policies stored before the gate existed, means none).
/// </summary>
public sealed record SecurityPolicy(
    PodSecurityLevel? PodSecurity = null,
    IReadOnlyList<string>? AllowedRegistries = null,
    bool ForbidLatestTag = false,
    bool RequireLimits = false,
    bool ForbidPrivilegeEscalation = false,
    bool ForbidHostPath = false,
    int? MaxReplicas = null,
    ImageScanPolicy? Images = null)
{
    public static readonly SecurityPolicy None = new();

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> Registries => AllowedRegistries ?? [];

    /// <summary>The image gate's rules; none when <see cref="Images"/> is null.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ImageScanPolicy ImageRules => Images ?? ImageScanPolicy.None;

    public bool SameAs(SecurityPolicy other) =>
        PodSecurity == other.PodSecurity && Registries.Order().SequenceEqual(other.Registries.Order()) &&
        ForbidLatestTag == other.ForbidLatestTag && RequireLimits == other.RequireLimits &&
        ForbidPrivilegeEscalation == other.ForbidPrivilegeEscalation && ForbidHostPath == other.ForbidHostPath && MaxReplicas == other.MaxReplicas &&
        ImageRules == other.ImageRules;

    /// <summary>The policy that applies in a service map: every rule of both, the stricter of each.</summary>
    public static SecurityPolicy Effective(SecurityPolicy workspace, SecurityPolicy serviceMap, PodSecurityLevel serviceMapLevel) => new(
        PodSecurity: Stricter(Stricter(workspace.PodSecurity, serviceMap.PodSecurity), serviceMapLevel),
        AllowedRegistries: (workspace.Registries.Count, serviceMap.Registries.Count) switch
        {
            (0, _) => serviceMap.Registries,
            (_, 0) => workspace.Registries,
            _ => workspace.Registries.Intersect(serviceMap.Registries).ToList(),
        },
        ForbidLatestTag: workspace.ForbidLatestTag || serviceMap.ForbidLatestTag,
        RequireLimits: workspace.RequireLimits || serviceMap.RequireLimits,
        ForbidPrivilegeEscalation: workspace.ForbidPrivilegeEscalation || serviceMap.ForbidPrivilegeEscalation,
        ForbidHostPath: workspace.ForbidHostPath || serviceMap.ForbidHostPath,
        MaxReplicas: (workspace.MaxReplicas, serviceMap.MaxReplicas) switch
        {
            (null, var s) => s,
            (var w, null) => w,
            (var w, var s) => Math.Min(w!.Value, s!.Value),
        },
        Images: ImageScanPolicy.Effective(workspace.ImageRules, serviceMap.ImageRules));

    /// <summary>The fields where a service map's policy would loosen its workspace's (empty when it only tightens).</summary>
    public static IReadOnlyList<(string Field, string Message)> Loosening(SecurityPolicy workspace, SecurityPolicy serviceMap)
    {
        var problems = new List<(string, string)>();
        if (workspace.PodSecurity is { } level && serviceMap.PodSecurity is { } mine && Rank(mine) < Rank(level))
            problems.Add(("podSecurity", $"The workspace requires at least {Name(level)}."));
        if (workspace.Registries.Count > 0 && (serviceMap.Registries.Count == 0 || serviceMap.Registries.Except(workspace.Registries).Any()))
            problems.Add(("allowedRegistries", $"Only registries the workspace allows: {string.Join(", ", workspace.Registries)}."));
        if (workspace.ForbidLatestTag && !serviceMap.ForbidLatestTag) problems.Add(("forbidLatestTag", "The workspace forbids the latest tag."));
        if (workspace.RequireLimits && !serviceMap.RequireLimits) problems.Add(("requireLimits", "The workspace requires limits."));
        if (workspace.ForbidPrivilegeEscalation && !serviceMap.ForbidPrivilegeEscalation)
            problems.Add(("forbidPrivilegeEscalation", "The workspace forbids privilege escalation."));
        if (workspace.ForbidHostPath && !serviceMap.ForbidHostPath) problems.Add(("forbidHostPath", "The workspace forbids host paths."));
        if (workspace.MaxReplicas is { } max && (serviceMap.MaxReplicas is null || serviceMap.MaxReplicas > max))
            problems.Add(("maxReplicas", $"The workspace allows at most {max} replicas."));
        problems.AddRange(ImageScanPolicy.Loosening(workspace.ImageRules, serviceMap.ImageRules).Select(p => ("images." + p.Field, p.Message)));
        return problems;
    }

    public static PodSecurityLevel? Stricter(PodSecurityLevel? a, PodSecurityLevel? b) =>
        a is null ? b : b is null ? a : Rank(a.Value) >= Rank(b.Value) ? a : b;

    public static int Rank(PodSecurityLevel level) => level switch
    {
        PodSecurityLevel.Privileged => 0, PodSecurityLevel.Baseline => 1, _ => 2,
    };

    public static string Name(PodSecurityLevel level) => level.ToString().ToLowerInvariant();
}

/// <summary>Which policy a stream holds: a workspace's or a service map's.</summary>
public enum PolicyScope { Workspace, ServiceMap }

public sealed record SecurityPolicyChanged(Guid TargetId, PolicyScope Scope, SecurityPolicy Before, SecurityPolicy After, ActorRef ChangedBy, DateTimeOffset ChangedAt);

/// <summary>A workspace's or service map's policy stream, with an id derived from its target's.</summary>
public sealed record PolicyStream(Guid Id, Guid TargetId, PolicyScope Scope, SecurityPolicy Policy)
{
    public static Guid StreamIdFor(Guid targetId) => DerivedIds.From("cocktail:policy:", targetId);

    /// <summary>A target without a policy yet: no rules.</summary>
    public static PolicyStream Empty(Guid targetId, PolicyScope scope) => new(StreamIdFor(targetId), targetId, scope, SecurityPolicy.None);

    /// <summary>
    /// Registries are kept as Kubernetes compares them (lower case), once each and in order, so the same rules
    /// written differently make no event and the admission policy on the cluster does not change.
    /// </summary>
    public Decision Change(SecurityPolicy after, ActorRef by, DateTimeOffset at)
    {
        var normalized = after with { AllowedRegistries = after.Registries.Select(r => r.ToLowerInvariant()).Distinct().Order().ToList() };
        return normalized.SameAs(Policy) ? Decision.Nothing : Decision.Accept(new SecurityPolicyChanged(TargetId, Scope, Policy, normalized, by, at));
    }

    public static PolicyStream Create(SecurityPolicyChanged e) => new(StreamIdFor(e.TargetId), e.TargetId, e.Scope, e.After);
    public PolicyStream Apply(SecurityPolicyChanged e) => this with { Policy = e.After };
}
