using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Tests.Tenancy;

public sealed class PodSecurityBoundsTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly ActorRef TeamAdmin = new(Guid.NewGuid(), "team-admin");
    private static readonly Guid Cluster = Guid.NewGuid();
    private static readonly Guid Team = Guid.NewGuid();

    private static ClusterAllocation Assigned(AssignmentMode mode) =>
        Given.Events<ClusterAllocation>(new ClusterAssignedToWorkspace(Cluster, "prod", Team, "team", mode, Quota.None, Admin, Now));

    private static ServiceMap Map(PodSecurityLevel level) =>
        Given.Events<ServiceMap>(new ServiceMapCreated(Guid.NewGuid(), "shop", Team, "team", Cluster, "prod", "shop", Quota.None, null, level, TeamAdmin, Now));

    [Fact]
    public void a_shared_cluster_allows_at_most_baseline_and_a_dedicated_one_privileged_until_a_platform_admin_says_otherwise()
    {
        Assert.Equal(PodSecurityLevel.Baseline, Assigned(AssignmentMode.Shared).PodSecurityCeiling(Team));
        Assert.Equal(PodSecurityLevel.Privileged, Assigned(AssignmentMode.Dedicated).PodSecurityCeiling(Team));

        var raised = Assigned(AssignmentMode.Shared).ChangePodSecurityCeiling(Team, PodSecurityLevel.Privileged, Admin, Now).Single();

        var e = Assert.IsType<AssignmentPodSecurityCeilingChanged>(raised);
        Assert.Equal((null, PodSecurityLevel.Privileged, Admin), (e.From, e.To, e.ChangedBy));
        Assert.Equal(PodSecurityLevel.Privileged, Assigned(AssignmentMode.Shared).Apply(e).PodSecurityCeiling(Team));
    }

    [Fact]
    public void a_level_above_the_ceiling_is_refused_on_the_podSecurity_field_and_the_default_is_baseline()
    {
        var bounds = new PodSecurityBounds(PodSecurityLevel.Baseline, null, "prod");

        var refused = Map(PodSecurityLevel.Baseline).ChangeSettings("shop", null, PodSecurityLevel.Privileged, bounds, TeamAdmin, Now).Refused();

        Assert.Equal((ErrorKind.Invalid, "podSecurity"), (refused.Kind, refused.Field));
        Assert.Contains("allows at most baseline", refused.Message);
        Assert.Equal([PodSecurityLevel.Baseline, PodSecurityLevel.Restricted], bounds.Allowed);
        var created = ServiceMap.Create(Guid.NewGuid(), "shop", Team, "team", Cluster, "prod", "shop", Quota.None, null, null, bounds, TeamAdmin, Now).Single();
        Assert.Equal(PodSecurityLevel.Baseline, Assert.IsType<ServiceMapCreated>(created).PodSecurity);
    }

    [Fact]
    public void the_policy_floor_bounds_the_level_even_under_a_privileged_ceiling()
    {
        var bounds = new PodSecurityBounds(PodSecurityLevel.Privileged, PodSecurityLevel.Restricted, "prod");

        var refused = Map(PodSecurityLevel.Restricted).ChangeSettings("shop", null, PodSecurityLevel.Privileged, bounds, TeamAdmin, Now).Refused();

        Assert.Contains("requires at least restricted", refused.Message);
        Assert.Equal([PodSecurityLevel.Restricted], bounds.Allowed);
        Assert.Equal(PodSecurityLevel.Restricted, bounds.Default);
    }

    [Fact]
    public void a_map_kept_at_a_level_above_a_lowered_ceiling_may_still_change_its_name()
    {
        var bounds = new PodSecurityBounds(PodSecurityLevel.Baseline, null, "prod");

        var renamed = Map(PodSecurityLevel.Privileged).ChangeSettings("shop-2", null, PodSecurityLevel.Privileged, bounds, TeamAdmin, Now).Single();

        Assert.Equal("shop-2", Assert.IsType<ServiceMapSettingsChanged>(renamed).Name);
    }

    [Fact]
    public void a_lowered_ceiling_brings_a_looser_map_down_to_it_as_a_settings_change_by_the_platform_admin()
    {
        var held = Map(PodSecurityLevel.Privileged).HoldToCeiling(PodSecurityLevel.Baseline, Admin, Now).Single();

        var e = Assert.IsType<ServiceMapSettingsChanged>(held);
        Assert.Equal((PodSecurityLevel.Baseline, Admin), (e.PodSecurity, e.ChangedBy));
        Assert.Empty(Map(PodSecurityLevel.Restricted).HoldToCeiling(PodSecurityLevel.Baseline, Admin, Now).Events);
    }
}
