using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Domain.Tests.Provisioning;

public sealed class ProvisionedClusterTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly Guid Management = Guid.NewGuid();

    private static ClusterProvisionRequested Requested() =>
        Assert.IsType<ClusterProvisionRequested>(ProvisionedCluster.Request(
            Id, Management, "mgmt", ClusterBlueprintTests.Valid(), [Infrastructure.OpenStack], false, Admin, Now, "new team").Single());

    private static ProvisionedCluster Provisioning() =>
        Given.Events<ProvisionedCluster>(Requested(), new ClusterObjectsApplied(Id, "prod", ["Cluster/prod"], Now));

    private static ProvisionedCluster Provisioned(params object[] more) =>
        Given.Events<ProvisionedCluster>([Requested(), new ClusterObjectsApplied(Id, "prod", ["Cluster/prod"], Now), new ClusterConditionChanged(Id, "prod", "Available", "True", "Available", null, Now),
            new ClusterProvisioned(Id, "prod", "v1.33.2", Now), .. more]);

    private static ProvisioningObservation Seen(
        string available = "False", ObservedFailure? failure = null, PartObservation? controlPlane = null,
        Dictionary<string, PartObservation>? pools = null, string? message = null) =>
        new(true, "Provisioning", [new ObservedCondition("Available", available, available == "True" ? "Available" : "NotAvailable", message)],
            failure, controlPlane, pools ?? []);

    private static PartObservation Part(string? version, bool upToDate = true, ObservedFailure? failure = null) => new(version, upToDate, 3, 3, failure);

    // --- requesting -------------------------------------------------------------------------------------------

    [Fact]
    public void Given_a_management_cluster_without_the_provider_When_a_cluster_is_requested_Then_it_is_refused()
    {
        var decision = ProvisionedCluster.Request(Id, Management, "mgmt", ClusterBlueprintTests.Valid(), [Infrastructure.Eks], true, Admin, Now, null);

        Assert.Equal("infrastructure", decision.Error?.Field);
        Assert.Contains("OpenStack provider is not installed on 'mgmt'", decision.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_blueprint_without_the_v_When_requested_Then_the_version_is_stored_with_it()
    {
        var e = Assert.IsType<ClusterProvisionRequested>(ProvisionedCluster.Request(
            Id, Management, "mgmt", ClusterBlueprintTests.Valid() with { KubernetesVersion = "1.33.2" }, [Infrastructure.OpenStack], false, Admin, Now, null).Single());

        Assert.Equal("v1.33.2", e.Blueprint.KubernetesVersion);
    }

    [Fact]
    public void Given_a_management_cluster_without_cluster_classes_When_a_topology_cluster_is_requested_Then_it_is_refused() =>
        Assert.Equal("clusterClass", ProvisionedCluster.Request(
            Id, Management, "mgmt", ClusterBlueprintTests.Valid() with { ClusterClass = "default" }, [Infrastructure.OpenStack], false, Admin, Now, null).Error?.Field);

    // --- observing --------------------------------------------------------------------------------------------

    [Fact]
    public void Given_a_provisioning_cluster_When_the_same_conditions_are_seen_twice_Then_only_the_first_is_recorded()
    {
        var first = Provisioning().Observe(Seen(message: "waiting for control plane"), Now);
        var changed = Assert.IsType<ClusterConditionChanged>(first.Single());
        var after = Given.Events<ProvisionedCluster>(Requested(), new ClusterObjectsApplied(Id, "prod", [], Now), changed);

        Assert.Empty(after.Observe(Seen(message: "waiting for control plane"), Now).Events);
        Assert.IsType<ClusterConditionChanged>(after.Observe(Seen(message: "1 of 3 machines ready"), Now).Single());
    }

    [Fact]
    public void Given_a_provisioning_cluster_When_it_becomes_available_Then_it_is_provisioned_once()
    {
        var events = Provisioning().Observe(Seen("True", controlPlane: Part("v1.33.2")), Now).Events;

        Assert.Equal(new ClusterProvisioned(Id, "prod", "v1.33.2", Now), Assert.Single(events.OfType<ClusterProvisioned>()));
        var provisioned = Given.Events<ProvisionedCluster>([Requested(), new ClusterObjectsApplied(Id, "prod", [], Now), .. events]);
        Assert.Equal(ProvisioningStatus.Provisioned, provisioned.Status);
        Assert.Empty(provisioned.Observe(Seen("True", controlPlane: Part("v1.33.2")), Now).Events);
    }

    [Fact]
    public void Given_a_provisioning_cluster_When_the_provider_reports_a_failure_Then_it_failed_with_the_reason()
    {
        var events = Provisioning().Observe(Seen(failure: new ObservedFailure("QuotaExceeded", "Quota exceeded for instances")), Now).Events;

        Assert.Equal(new ClusterProvisioningFailed(Id, "prod", "QuotaExceeded", "Quota exceeded for instances", Now), Assert.Single(events.OfType<ClusterProvisioningFailed>()));
    }

    [Fact]
    public void Given_a_cluster_not_being_deleted_When_its_objects_are_gone_Then_nothing_is_recorded() =>
        Assert.Empty(Provisioned().Observe(ProvisioningObservation.Gone, Now).Events);

    // --- upgrading --------------------------------------------------------------------------------------------

    [Fact]
    public void Given_a_provisioned_cluster_When_upgraded_Then_the_control_plane_goes_first_then_each_pool_in_order()
    {
        var decision = Provisioned().RequestUpgrade("v1.34.0", Admin, Now, "security fixes");

        var requested = Assert.IsType<ClusterUpgradeRequested>(decision.Events[0]);
        Assert.Equal(["control plane", "workers", "gpu"], requested.Steps);
        Assert.Equal(new ClusterUpgradeRequested(Id, "prod", "v1.33.2", "v1.34.0", requested.Steps, Admin, Now, "security fixes"), requested);
        Assert.Equal(new ClusterUpgradeStepStarted(Id, "prod", UpgradeStep.ControlPlane, "v1.34.0", Now), decision.Events[1]);
        var upgrading = Provisioned([.. decision.Events]);
        Assert.Equal("v1.34.0", upgrading.Blueprint.KubernetesVersion);
        Assert.All(upgrading.Blueprint.NodePools, p => Assert.Equal("v1.33.2", p.Version));
    }

    [Fact]
    public void Given_an_upgrading_control_plane_When_it_runs_the_new_version_but_is_still_rolling_Then_the_step_is_not_done()
    {
        var upgrading = Provisioned([.. Provisioned().RequestUpgrade("v1.34.0", Admin, Now, null).Events]);

        Assert.Empty(upgrading.Observe(Seen("True", controlPlane: Part("v1.34.0", upToDate: false)), Now).Events);
        Assert.Empty(upgrading.Observe(Seen("True", controlPlane: Part(null)), Now).Events);
    }

    [Fact]
    public void Given_an_upgrade_When_each_part_reports_the_new_version_Then_the_steps_complete_in_order_and_the_cluster_is_upgraded()
    {
        var events = new List<object>(Provisioned().RequestUpgrade("v1.34.0", Admin, Now, null).Events);
        var pools = new Dictionary<string, PartObservation> { ["workers"] = Part("v1.33.2"), ["gpu"] = Part("v1.33.2") };

        var afterControlPlane = Provisioned([.. events]).Observe(Seen("True", controlPlane: Part("v1.34.0"), pools: pools), Now).Events;
        Assert.Equal(new object[]
        {
            new ClusterUpgradeStepCompleted(Id, "prod", UpgradeStep.ControlPlane, "v1.34.0", Now),
            new ClusterUpgradeStepStarted(Id, "prod", "workers", "v1.34.0", Now),
        }, afterControlPlane);
        events.AddRange(afterControlPlane);
        var state = Provisioned([.. events]);
        Assert.Equal("v1.34.0", state.Pool("workers")!.Version);
        Assert.Equal("v1.33.2", state.Pool("gpu")!.Version);

        pools["workers"] = Part("v1.34.0");
        var afterWorkers = state.Observe(Seen("True", controlPlane: Part("v1.34.0"), pools: pools), Now).Events;
        Assert.Equal(new object[]
        {
            new ClusterUpgradeStepCompleted(Id, "prod", "workers", "v1.34.0", Now),
            new ClusterUpgradeStepStarted(Id, "prod", "gpu", "v1.34.0", Now),
        }, afterWorkers);
        events.AddRange(afterWorkers);

        pools["gpu"] = Part("v1.34.0");
        var afterGpu = Provisioned([.. events]).Observe(Seen("True", controlPlane: Part("v1.34.0"), pools: pools), Now).Events;
        Assert.Equal(new object[]
        {
            new ClusterUpgradeStepCompleted(Id, "prod", "gpu", "v1.34.0", Now),
            new ClusterUpgraded(Id, "prod", "v1.33.2", "v1.34.0", Now),
        }, afterGpu);
        var upgraded = Provisioned([.. events, .. afterGpu]);
        Assert.Equal("v1.34.0", upgraded.Version);
        Assert.Null(upgraded.Upgrade);
        Assert.All(upgraded.Blueprint.NodePools, p => Assert.Null(p.Version));
    }

    [Fact]
    public void Given_an_upgrading_pool_When_its_rollout_fails_Then_the_upgrade_stops_there()
    {
        var events = new List<object>(Provisioned().RequestUpgrade("v1.34.0", Admin, Now, null).Events)
        {
            new ClusterUpgradeStepCompleted(Id, "prod", UpgradeStep.ControlPlane, "v1.34.0", Now),
            new ClusterUpgradeStepStarted(Id, "prod", "workers", "v1.34.0", Now),
        };
        var pools = new Dictionary<string, PartObservation> { ["workers"] = Part(null, false, new ObservedFailure("DrainTimeout", "node drain timed out")), ["gpu"] = Part("v1.33.2") };

        var failed = Assert.IsType<ClusterUpgradeFailed>(Provisioned([.. events]).Observe(Seen("True", controlPlane: Part("v1.34.0"), pools: pools), Now).Single());

        Assert.Equal(new ClusterUpgradeFailed(Id, "prod", "workers", "v1.34.0", "DrainTimeout", "node drain timed out", Now), failed);
        var stopped = Provisioned([.. events, failed]);
        Assert.Null(stopped.Upgrade);
        Assert.Equal("v1.33.2", stopped.Pool("gpu")!.Version);
        Assert.Empty(stopped.Observe(Seen("True", controlPlane: Part("v1.34.0"), pools: pools), Now).Events.OfType<ClusterUpgradeStepCompleted>());
    }

    [Fact]
    public void Given_an_upgrade_in_progress_When_another_is_requested_Then_it_is_a_conflict() =>
        Assert.Equal(ErrorKind.Conflict, Provisioned([.. Provisioned().RequestUpgrade("v1.34.0", Admin, Now, null).Events]).RequestUpgrade("v1.34.1", Admin, Now, null).Error?.Kind);

    [Fact]
    public void Given_a_cluster_still_provisioning_When_an_upgrade_is_requested_Then_it_waits_for_the_cluster() =>
        Assert.Equal(ErrorKind.Conflict, Provisioning().RequestUpgrade("v1.34.0", Admin, Now, null).Error?.Kind);

    // --- pools ------------------------------------------------------------------------------------------------

    [Fact]
    public void Given_an_autoscaled_pool_When_scaled_within_its_bounds_Then_it_is_scaled() =>
        Assert.Equal(new NodePoolScaled(Id, "prod", "workers", 3, 5, Admin, Now, "peak"), Provisioned().ScalePool("workers", 5, Admin, Now, "peak").Single());

    [Fact]
    public void Given_an_autoscaled_pool_When_scaled_outside_its_bounds_Then_it_is_refused() =>
        Assert.Equal("replicas", Provisioned().ScalePool("workers", 6, Admin, Now, null).Error?.Field);

    [Fact]
    public void Given_a_pool_When_scaled_to_its_size_Then_nothing_happens() =>
        Assert.Empty(Provisioned().ScalePool("workers", 3, Admin, Now, null).Events);

    [Fact]
    public void Given_a_pool_When_its_bounds_move_below_its_size_Then_its_size_is_clamped()
    {
        var changed = Provisioned().SetAutoscaling("workers", 1, 2, Admin, Now, null).Single();

        Assert.Equal(2, Provisioned(changed).Pool("workers")!.Replicas);
    }

    [Fact]
    public void Given_a_pool_When_its_minimum_is_above_its_maximum_Then_the_minimum_is_marked() =>
        Assert.Equal("minSize", Provisioned().SetAutoscaling("workers", 4, 3, Admin, Now, null).Error?.Field);

    [Fact]
    public void Given_a_cluster_When_a_pool_is_added_and_another_removed_Then_the_blueprint_follows()
    {
        var added = Provisioned().AddPool(new NodePoolSpec("batch", "m1.large", 2), Admin, Now, null).Single();
        var removed = Provisioned(added).RemovePool("gpu", Admin, Now, null).Single();

        Assert.Equal(["workers", "batch"], Provisioned(added, removed).Blueprint.NodePools.Select(p => p.Name));
    }

    [Fact]
    public void Given_a_cluster_When_a_pool_of_an_existing_name_is_added_Then_it_is_a_conflict() =>
        Assert.Equal(ErrorKind.Conflict, Provisioned().AddPool(new NodePoolSpec("gpu", "m1", 1), Admin, Now, null).Error?.Kind);

    [Fact]
    public void Given_a_cluster_When_an_unknown_pool_is_removed_Then_it_is_not_found() =>
        Assert.Equal(ErrorKind.NotFound, Provisioned().RemovePool("nope", Admin, Now, null).Error?.Kind);

    // --- deleting ---------------------------------------------------------------------------------------------

    [Fact]
    public void Given_a_cluster_When_deletion_is_not_confirmed_with_its_name_Then_it_is_refused()
    {
        Assert.Equal("confirm", Provisioned().RequestDeletion(null, Admin, Now, null).Error?.Field);
        Assert.Equal("confirm", Provisioned().RequestDeletion("Prod", Admin, Now, null).Error?.Field);
    }

    [Fact]
    public void Given_a_deleting_cluster_When_its_objects_are_gone_Then_it_is_deleted_and_nothing_more_happens()
    {
        var requested = Provisioned().RequestDeletion("prod", Admin, Now, "decommissioned").Single();
        var deleting = Provisioned(requested);

        var deleted = deleting.Observe(ProvisioningObservation.Gone, Now).Single();

        Assert.Equal(new ClusterDeleted(Id, "prod", Now), deleted);
        var gone = Provisioned(requested, deleted);
        Assert.Equal(ProvisioningStatus.Deleted, gone.Status);
        Assert.Empty(gone.Observe(ProvisioningObservation.Gone, Now).Events);
        Assert.Equal(ErrorKind.NotFound, gone.ScalePool("workers", 4, Admin, Now, null).Error?.Kind);
    }

    [Fact]
    public void Given_a_deleting_cluster_When_deletion_is_asked_again_Then_nothing_more_is_recorded() =>
        Assert.Empty(Provisioned(Provisioned().RequestDeletion("prod", Admin, Now, null).Single()).RequestDeletion("prod", Admin, Now, null).Events);
}
