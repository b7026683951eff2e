using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Tests.Tenancy;

public sealed class ServiceMapTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef TeamAdmin = new(Guid.NewGuid(), "team-admin");
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly Guid Cluster = Guid.NewGuid();
    private static readonly ServiceMapVerdict Pending = new(ServiceMapStatus.Pending, "Applying the change to the cluster.");
    private static readonly ServiceMapVerdict Ready = new(ServiceMapStatus.Ready);

    private static readonly ServiceMapCreated Created =
        new(Id, "shop", Guid.NewGuid(), "team", Cluster, "prod", "shop", Quota.None, null, PodSecurityLevel.Baseline, TeamAdmin, Now);

    private static readonly ServiceMapDeletionRequested DeletionRequested = new(Id, "shop", Created.WorkspaceId, Cluster, "shop", TeamAdmin, Now);

    [Fact]
    public void Given_a_pending_map_When_the_cluster_applied_it_Then_it_became_ready_on_that_cluster_and_namespace()
    {
        var ready = Assert.IsType<ServiceMapBecameReady>(Given.Events<ServiceMap>(Created).RecordApply(ClusterOutcome.Applied, Pending, Now).Single());

        Assert.Equal(new ServiceMapBecameReady(Id, "shop", Cluster, "shop", Now), ready);
    }

    [Fact]
    public void Given_a_ready_map_When_the_cluster_applied_it_again_Then_nothing_is_recorded() =>
        Assert.Empty(Given.Events<ServiceMap>(Created).RecordApply(ClusterOutcome.Applied, Ready, Now).Events);

    [Fact]
    public void Given_a_ready_map_whose_quota_changed_When_the_cluster_applied_it_Then_it_became_ready_again()
    {
        // The quota change is in the cluster's allocation stream: the verdict the map shows is what says it is Pending.
        var map = Given.Events<ServiceMap>(Created);

        Assert.Empty(map.RecordApply(ClusterOutcome.Applied, Ready, Now).Events);
        Assert.IsType<ServiceMapBecameReady>(map.RecordApply(ClusterOutcome.Applied, Pending, Now).Single());
    }

    [Fact]
    public void Given_a_map_When_the_cluster_refused_it_Then_the_refusal_is_recorded_with_the_clusters_reason()
    {
        var failed = Assert.IsType<ServiceMapReconcileFailed>(
            Given.Events<ServiceMap>(Created).RecordApply(ClusterOutcome.Refused("quota invalid"), Pending, Now).Single());

        Assert.Equal(new ServiceMapReconcileFailed(Id, "shop", Cluster, "shop", "quota invalid", Now), failed);
    }

    [Fact]
    public void Given_a_failed_map_When_the_cluster_refused_it_for_the_same_reason_Then_nothing_is_recorded_and_for_another_reason_it_is()
    {
        var map = Given.Events<ServiceMap>(Created);
        var failed = new ServiceMapVerdict(ServiceMapStatus.Failed, "quota invalid");

        Assert.Empty(map.RecordApply(ClusterOutcome.Refused("quota invalid"), failed, Now).Events);
        Assert.Equal("forbidden", Assert.IsType<ServiceMapReconcileFailed>(map.RecordApply(ClusterOutcome.Refused("forbidden"), failed, Now).Single()).Error);
    }

    [Fact]
    public void Given_a_map_When_the_cluster_did_not_answer_Then_nothing_is_recorded_and_it_stays_as_it_was() =>
        Assert.Empty(Given.Events<ServiceMap>(Created).RecordApply(ClusterOutcome.Unreachable, Pending, Now).Events);

    [Fact]
    public void Given_a_map_being_deleted_When_an_apply_answers_Then_it_does_not_become_ready()
    {
        var map = Given.Events<ServiceMap>(Created, DeletionRequested);

        Assert.Empty(map.RecordApply(ClusterOutcome.Applied, Pending, Now).Events);
        Assert.Empty(map.RecordDriftCorrection(["RoleBinding changed"], ClusterOutcome.Applied, Ready, Now).Events);
    }

    [Fact]
    public void Given_a_ready_map_When_drift_was_found_and_put_back_Then_the_findings_are_recorded()
    {
        var corrected = Assert.IsType<DriftCorrected>(Given.Events<ServiceMap>(Created)
            .RecordDriftCorrection(["ResourceQuota cocktail-quota: pods is 100, 10 wanted."], ClusterOutcome.Applied, Ready, Now).Single());

        Assert.Equal(["ResourceQuota cocktail-quota: pods is 100, 10 wanted."], corrected.Findings);
        Assert.Equal((Id, Cluster, "shop", Now), (corrected.ServiceMapId, corrected.ClusterId, corrected.Namespace, corrected.At));
    }

    [Fact]
    public void Given_a_ready_map_When_no_drift_was_found_Then_nothing_is_recorded() =>
        Assert.Empty(Given.Events<ServiceMap>(Created).RecordDriftCorrection([], ClusterOutcome.Applied, Ready, Now).Events);

    [Fact]
    public void Given_a_ready_map_When_the_correction_of_drift_was_refused_Then_the_refusal_is_recorded_like_any_apply() =>
        Assert.Equal("denied", Assert.IsType<ServiceMapReconcileFailed>(Given.Events<ServiceMap>(Created)
            .RecordDriftCorrection(["LimitRange missing"], ClusterOutcome.Refused("denied"), Ready, Now).Single()).Error);

    [Fact]
    public void Given_a_map_being_deleted_When_its_namespace_is_gone_Then_the_map_is_deleted_once()
    {
        var map = Given.Events<ServiceMap>(Created, DeletionRequested);
        var deletingShown = new ServiceMapVerdict(ServiceMapStatus.Deleting, "Deleting the namespace.");

        var deleted = Assert.IsType<ServiceMapDeleted>(map.RecordNamespaceDeletion(ClusterOutcome.Applied, deletingShown, Now).Single());

        Assert.Equal(new ServiceMapDeleted(Id, "shop", Cluster, "shop", Now), deleted);
        Assert.Empty(map.Apply(deleted).RecordNamespaceDeletion(ClusterOutcome.Applied, deletingShown, Now).Events);
    }

    [Fact]
    public void Given_a_map_being_deleted_When_the_namespace_still_terminates_or_the_cluster_is_away_Then_nothing_is_recorded() =>
        Assert.Empty(Given.Events<ServiceMap>(Created, DeletionRequested)
            .RecordNamespaceDeletion(ClusterOutcome.Unreachable, new ServiceMapVerdict(ServiceMapStatus.Deleting), Now).Events);

    [Fact]
    public void Given_a_map_being_deleted_When_the_cluster_refused_to_delete_the_namespace_Then_the_refusal_is_recorded_once_per_reason()
    {
        var map = Given.Events<ServiceMap>(Created, DeletionRequested);

        var failed = Assert.IsType<ServiceMapReconcileFailed>(
            map.RecordNamespaceDeletion(ClusterOutcome.Refused("forbidden"), new ServiceMapVerdict(ServiceMapStatus.Deleting), Now).Single());

        Assert.Equal("forbidden", failed.Error);
        Assert.Empty(map.RecordNamespaceDeletion(ClusterOutcome.Refused("forbidden"), new ServiceMapVerdict(ServiceMapStatus.Failed, "forbidden"), Now).Events);
    }

    [Fact]
    public void Given_a_map_not_being_deleted_When_a_namespace_deletion_answers_Then_nothing_is_recorded() =>
        Assert.Empty(Given.Events<ServiceMap>(Created).RecordNamespaceDeletion(ClusterOutcome.Applied, Ready, Now).Events);

    [Fact]
    public void Given_a_map_When_deletion_is_confirmed_with_another_name_Then_it_is_refused_at_the_confirm_field()
    {
        var refused = Given.Events<ServiceMap>(Created).RequestDeletion("shop2", TeamAdmin, Now).Refused();

        Assert.Equal((ErrorKind.Invalid, "confirm"), (refused.Kind, refused.Field));
    }

    [Fact]
    public void Given_a_map_being_deleted_When_its_settings_change_Then_it_is_a_conflict() =>
        Assert.Equal(ErrorKind.Conflict, Given.Events<ServiceMap>(Created, DeletionRequested)
            .ChangeSettings("shop", null, PodSecurityLevel.Baseline, new PodSecurityBounds(PodSecurityLevel.Baseline, null, "prod"), TeamAdmin, Now)
            .Refused().Kind);
}
