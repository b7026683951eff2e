using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

/// <summary>
/// Which Pod Security levels a service map may have. The ceiling (the loosest level) comes from the workspace's
/// assignment of the cluster and only platform admins change it; the floor (the loosest the policies allow) comes
/// from the workspace's and the service map's security policies.
/// </summary>
/// <remarks>
/// Without an explicit ceiling, a Shared cluster allows at most <c>baseline</c>: a privileged pod (hostPID,
/// hostNetwork, hostPath /) is root on a node that runs other teams' pods. A Dedicated cluster allows
/// <c>privileged</c>: its nodes run only that workspace's pods, so root there reaches nothing of another team, and
/// teams with a cluster of their own legitimately run node agents (CNI, CSI, monitoring) that need it. The level a
/// new service map gets when none is asked for stays <c>baseline</c> either way.
/// </remarks>
public sealed record PodSecurityBounds(PodSecurityLevel Ceiling, PodSecurityLevel? Floor, string ClusterName)
{
    public const string Field = "podSecurity";

    public static PodSecurityLevel DefaultCeiling(AssignmentMode mode) =>
        mode == AssignmentMode.Dedicated ? PodSecurityLevel.Privileged : PodSecurityLevel.Baseline;

    /// <summary>Loosest first: privileged (0), baseline (1), restricted (2).</summary>
    public static int Rank(PodSecurityLevel level) => level switch
    {
        PodSecurityLevel.Privileged => 0, PodSecurityLevel.Baseline => 1, _ => 2,
    };

    public static PodSecurityLevel Stricter(PodSecurityLevel a, PodSecurityLevel b) => Rank(a) >= Rank(b) ? a : b;

    public static string Name(PodSecurityLevel level) => level.ToString().ToLowerInvariant();

    /// <summary>The loosest level allowed: both the ceiling and the policies' floor bound how loose a map may go.</summary>
    public PodSecurityLevel Loosest => Floor is { } floor ? Stricter(Ceiling, floor) : Ceiling;

    /// <summary>The levels a member may choose, loosest first (never empty: restricted is always allowed).</summary>
    public IReadOnlyList<PodSecurityLevel> Allowed => Enum.GetValues<PodSecurityLevel>().Where(l => Rank(l) >= Rank(Loosest)).OrderBy(Rank).ToList();

    /// <summary>What a service map gets when no level is asked for: baseline, or stricter where the bounds demand it.</summary>
    public PodSecurityLevel Default => Stricter(PodSecurityLevel.Baseline, Loosest);

    public DomainError? Check(PodSecurityLevel level)
    {
        if (Floor is { } floor && Rank(level) < Rank(floor))
            return DomainError.Invalid($"The security policy requires at least {Name(floor)}; choose {Describe()}.", Field);
        if (Rank(level) < Rank(Ceiling))
            return DomainError.Invalid(
                $"Cluster '{ClusterName}' allows at most {Name(Ceiling)} for this workspace; only a platform admin can raise that. Choose {Describe()}.",
                Field);
        return null;
    }

    private string Describe() => string.Join(" or ", Allowed.Select(Name));
}
