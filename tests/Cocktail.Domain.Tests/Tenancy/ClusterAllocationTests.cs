using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Tests.Tenancy;

public sealed class ClusterAllocationTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Cluster = Guid.NewGuid();
    private static readonly Guid TeamA = Guid.NewGuid();
    private static readonly Guid TeamB = Guid.NewGuid();
    private static readonly Quota Eight = new("8", "32Gi", "2", "500Gi", "100");

    private static ClusterAllocation Assigned(AssignmentMode mode, Quota? quota = null) =>
        Given.Events<ClusterAllocation>(new ClusterAssignedToWorkspace(Cluster, "prod", TeamA, "team-a", mode, quota ?? Eight, Admin, Now));

    [Fact]
    public void a_dedicated_cluster_cannot_be_given_to_another_workspace()
    {
        var error = Assigned(AssignmentMode.Dedicated).Assign(TeamB, "team-b", AssignmentMode.Shared, Eight, Admin, Now).Refused();

        Assert.Equal(ErrorKind.Conflict, error.Kind);
        Assert.Contains("dedicated to another workspace", error.Message);
    }

    [Fact]
    public void a_shared_cluster_cannot_become_dedicated_while_others_share_it_but_takes_more_shared_workspaces()
    {
        var shared = Assigned(AssignmentMode.Shared);

        Assert.Equal(ErrorKind.Conflict, shared.Assign(TeamB, "team-b", AssignmentMode.Dedicated, Eight, Admin, Now).Refused().Kind);
        var both = Given.Events<ClusterAllocation>(
            new ClusterAssignedToWorkspace(Cluster, "prod", TeamA, "team-a", AssignmentMode.Shared, Eight, Admin, Now),
            Assert.IsType<ClusterAssignedToWorkspace>(shared.Assign(TeamB, "team-b", AssignmentMode.Shared, Eight, Admin, Now).Single()));
        Assert.Equal(ErrorKind.Conflict, both.ChangeAssignment(TeamA, AssignmentMode.Dedicated, Eight, null, Admin, Now).Refused().Kind);
    }

    [Fact]
    public void service_map_quotas_may_not_add_up_to_more_than_the_workspace_quota_and_the_refusal_says_by_how_much()
    {
        var allocation = Given.Events<ClusterAllocation>(
            new ClusterAssignedToWorkspace(Cluster, "prod", TeamA, "team-a", AssignmentMode.Shared, new Quota("4", "8Gi", "1", "50Gi", "40"), Admin, Now),
            new ServiceMapQuotaAllocated(Cluster, TeamA, Guid.NewGuid(), "web", "web", new Quota("2500m", "6Gi", "0", "10Gi", "20"), Admin, Now));

        var fits = allocation.AllocateServiceMap(Guid.NewGuid(), TeamA, "api", "api", new Quota("1.5", "2Gi", "1", "40Gi", "20"), Admin, Now);
        var over = allocation.AllocateServiceMap(Guid.NewGuid(), TeamA, "api", "api", new Quota("2", "3Gi", "1", "40Gi", "20"), Admin, Now).Refused();

        Assert.IsType<ServiceMapQuotaAllocated>(fits.Single());
        Assert.Equal("quota", over.Field);
        Assert.Contains("cpu by 500m, memory by 1Gi", over.Message);
    }

    [Fact]
    public void a_namespace_is_used_once_per_cluster_even_across_workspaces()
    {
        var allocation = Given.Events<ClusterAllocation>(
            new ClusterAssignedToWorkspace(Cluster, "prod", TeamA, "team-a", AssignmentMode.Shared, Eight, Admin, Now),
            new ClusterAssignedToWorkspace(Cluster, "prod", TeamB, "team-b", AssignmentMode.Shared, Eight, Admin, Now),
            new ServiceMapQuotaAllocated(Cluster, TeamA, Guid.NewGuid(), "web", "shop", Quota.None, Admin, Now));

        Assert.Equal("namespace", allocation.AllocateServiceMap(Guid.NewGuid(), TeamB, "shop", "shop", Quota.None, Admin, Now).Refused().Field);
    }

    [Fact]
    public void a_workspace_quota_cannot_shrink_below_what_its_service_maps_hold()
    {
        var allocation = Given.Events<ClusterAllocation>(
            new ClusterAssignedToWorkspace(Cluster, "prod", TeamA, "team-a", AssignmentMode.Shared, Eight, Admin, Now),
            new ServiceMapQuotaAllocated(Cluster, TeamA, Guid.NewGuid(), "web", "web", new Quota("6", "16Gi"), Admin, Now));

        var error = allocation.ChangeAssignment(TeamA, AssignmentMode.Shared, new Quota("4", "32Gi", "2", "500Gi", "100"), null, Admin, Now).Refused();

        Assert.Contains("cpu by 2", error.Message);
    }

    [Fact]
    public void a_workspace_with_service_maps_on_the_cluster_cannot_be_unassigned()
    {
        var allocation = Given.Events<ClusterAllocation>(
            new ClusterAssignedToWorkspace(Cluster, "prod", TeamA, "team-a", AssignmentMode.Shared, Eight, Admin, Now),
            new ServiceMapQuotaAllocated(Cluster, TeamA, Guid.NewGuid(), "web", "web", Quota.None, Admin, Now));

        Assert.Equal(ErrorKind.Conflict, allocation.Unassign(TeamA, null, Admin, Now).Refused().Kind);
    }

    [Fact]
    public void changing_one_service_map_quota_counts_the_others_but_not_its_old_self()
    {
        var web = Guid.NewGuid();
        var allocation = Given.Events<ClusterAllocation>(
            new ClusterAssignedToWorkspace(Cluster, "prod", TeamA, "team-a", AssignmentMode.Shared, new Quota("4"), Admin, Now),
            new ServiceMapQuotaAllocated(Cluster, TeamA, web, "web", "web", new Quota("3"), Admin, Now),
            new ServiceMapQuotaAllocated(Cluster, TeamA, Guid.NewGuid(), "api", "api", new Quota("1"), Admin, Now));

        Assert.Empty(allocation.ChangeServiceMapQuota(web, new Quota("3"), null, Admin, Now).Events);
        Assert.IsType<ServiceMapQuotaChanged>(allocation.ChangeServiceMapQuota(web, new Quota("2"), null, Admin, Now).Single());
        Assert.Contains("cpu by 1", allocation.ChangeServiceMapQuota(web, new Quota("4"), null, Admin, Now).Refused().Message);
    }
}
