using Cocktail.Domain.Common;
using Cocktail.Domain.Workloads;

namespace Cocktail.Domain.Tests.Workloads;

public sealed class WorkloadTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Dev = new(Guid.NewGuid(), "dana");
    private static readonly Guid Id = Guid.NewGuid();

    private static WorkloadSpec Web(string image = "registry.example.com/shop/web:1.0", int replicas = 2) =>
        new("web", WorkloadKind.Deployment, [new ContainerSpec("web", image, Ports: [new PortSpec(8080)])], Replicas: replicas,
            Service: new ServiceSpec(Ports: [new ServicePort(80, 8080)]));

    private static Workload Deployed(WorkloadSpec? spec = null) =>
        Given.Events<Workload>(Workload.Deploy(Id, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "shop", spec ?? Web(), "first release", Dev, Now).Single());

    private static Workload Then(Workload workload, Decision decision) =>
        (Workload)typeof(Workload).GetMethod("Apply", [decision.Single().GetType()])!.Invoke(workload, [decision.Events[0]])!;

    [Fact]
    public void every_change_is_a_new_revision_carrying_the_whole_spec_with_who_and_why()
    {
        var workload = Deployed();
        var updated = Assert.IsType<WorkloadUpdated>(workload.Update(Web("registry.example.com/shop/web:1.1"), "new checkout", Dev, Now).Single());

        Assert.Equal(2, updated.Revision);
        Assert.Equal("registry.example.com/shop/web:1.1", updated.Spec.Containers[0].Image);
        Assert.Equal(2, updated.Spec.Replicas); // the whole spec, not only what changed
        Assert.Equal(("dana", "new checkout"), (updated.UpdatedBy.Name, updated.Reason));
    }

    [Fact]
    public void an_update_with_the_same_spec_makes_no_revision() =>
        Assert.Empty(Deployed().Update(Web(), "again", Dev, Now).Events);

    [Fact]
    public void empty_lists_and_maps_mean_the_same_as_none_so_they_make_no_revision()
    {
        var sameWithEmpties = Web() with
        {
            Volumes = [], Labels = new Dictionary<string, string>(),
            Containers = [Web().Containers[0] with { Env = [], Args = [] }],
        };
        Assert.Empty(Deployed().Update(sameWithEmpties, "again", Dev, Now).Events);
        Assert.Single(Deployed().Update(sameWithEmpties with { Containers = [Web().Containers[0] with { Env = [new EnvVar("A", "1")] }] }, "env", Dev, Now).Events);
    }

    [Fact]
    public void scaling_records_from_and_to_and_keeps_the_rest_of_the_spec()
    {
        var scaled = Assert.IsType<WorkloadScaled>(Deployed().Scale(5, null, "sale", Dev, Now).Single());

        Assert.Equal((2, 5, 2), (scaled.FromReplicas, scaled.ToReplicas, scaled.Revision));
        Assert.Equal(Web().Containers[0].Image, scaled.Spec.Containers[0].Image);
    }

    [Fact]
    public void an_autoscaler_is_part_of_the_spec_and_removing_it_is_a_change()
    {
        var withAutoscaler = Then(Deployed(), Deployed().Scale(null, new AutoscalerSpec(2, 8, 70), null, Dev, Now));
        Assert.Equal(new AutoscalerSpec(2, 8, 70), withAutoscaler.Current.Autoscaler);

        var removed = Assert.IsType<WorkloadScaled>(withAutoscaler.Scale(3, null, null, Dev, Now).Single());
        Assert.Null(removed.Spec.Autoscaler);
        Assert.Equal(3, removed.Spec.Replicas);
    }

    [Fact]
    public void jobs_do_not_scale_by_replicas()
    {
        var job = Deployed(new WorkloadSpec("report", WorkloadKind.Job, [new ContainerSpec("report", "registry.example.com/report:2")]));
        Assert.Equal("replicas", job.Scale(3, null, null, Dev, Now).Refused().Field);
    }

    [Fact]
    public void rolling_back_restores_exactly_the_spec_of_that_revision_as_a_new_revision()
    {
        var v1 = Deployed();
        var v2 = Then(v1, v1.Update(Web("registry.example.com/shop/web:1.1"), null, Dev, Now));
        var v3 = Then(v2, v2.Scale(4, null, null, Dev, Now));

        var rolledBack = Assert.IsType<WorkloadRolledBack>(v3.RollBack(1, "1.1 breaks checkout", Dev, Now).Single());

        Assert.Equal((4, 1), (rolledBack.Revision, rolledBack.ToRevision));
        Assert.True(rolledBack.Spec.SameAs(Web()));
        var v4 = Then(v3, v3.RollBack(1, null, Dev, Now));
        Assert.Equal(4, v4.Revision);
        Assert.True(v4.Revisions[3].SameAs(v3.Current)); // history is kept: rolling forward again is possible
    }

    [Fact]
    public void rolling_back_to_a_revision_that_does_not_exist_or_is_current_is_refused()
    {
        var workload = Deployed();
        Assert.Equal("revision", workload.RollBack(7, null, Dev, Now).Refused().Field);
        Assert.Equal("revision", workload.RollBack(1, null, Dev, Now).Refused().Field);
    }

    [Fact]
    public void rolling_back_to_a_revision_with_the_current_spec_is_refused_rather_than_recorded()
    {
        var v1 = Deployed();
        var v2 = Then(v1, v1.Scale(5, null, null, Dev, Now));
        var v3 = Then(v2, v2.Scale(2, null, null, Dev, Now)); // the same spec as revision 1 again

        Assert.Contains("same spec", v3.RollBack(1, null, Dev, Now).Refused().Message);
    }

    [Fact]
    public void name_and_kind_never_change()
    {
        var workload = Deployed();
        Assert.Equal("name", workload.Update(Web() with { Name = "api" }, null, Dev, Now).Refused().Field);
        Assert.Equal("kind", workload.Update(Web() with { Kind = WorkloadKind.StatefulSet }, null, Dev, Now).Refused().Field);
    }

    [Fact]
    public void a_deleted_workload_takes_no_more_changes()
    {
        var deleted = Then(Deployed(), Deployed().Delete("retired", Dev, Now));
        Assert.Equal(ErrorKind.NotFound, deleted.Update(Web("registry.example.com/shop/web:2"), null, Dev, Now).Refused().Kind);
        Assert.Equal(ErrorKind.NotFound, deleted.RollBack(1, null, Dev, Now).Refused().Kind);
        Assert.Empty(deleted.Delete(null, Dev, Now).Events);
    }

    private static Workload Then(Workload workload, IEnumerable<object> events) =>
        events.Aggregate(workload, (w, e) => (Workload)typeof(Workload).GetMethod("Apply", [e.GetType()])!.Invoke(w, [e])!);

    private static RolloutObservation Seen(int revision, RolloutStatus status, string? message = null, params string[] drift) =>
        new(revision, status, message, drift);

    [Fact]
    public void Given_a_deployed_workload_When_the_tracker_sees_its_revision_progress_Then_the_rollout_change_is_recorded_with_the_clusters_words()
    {
        var changed = Assert.IsType<WorkloadRolloutChanged>(Deployed().Observe(Seen(1, RolloutStatus.Stalled, "ImagePullBackOff: container web"), Now).Single());

        Assert.Equal(new WorkloadRolloutChanged(Id, "web", RolloutStatus.Stalled, "ImagePullBackOff: container web", Now), changed);
    }

    [Fact]
    public void Given_a_rollout_already_recorded_When_the_tracker_sees_the_same_again_Then_nothing_is_recorded()
    {
        var available = Then(Deployed(), Deployed().Observe(Seen(1, RolloutStatus.Available), Now).Events);

        Assert.Equal(RolloutStatus.Available, available.Rollout);
        Assert.Empty(available.Observe(Seen(1, RolloutStatus.Available), Now).Events);
    }

    [Fact]
    public void Given_a_newer_revision_When_the_tracker_reports_on_the_older_one_Then_it_is_about_the_past_and_nothing_is_recorded()
    {
        var v2 = Then(Deployed(), Deployed().Scale(5, null, null, Dev, Now));

        Assert.Empty(v2.Observe(Seen(1, RolloutStatus.Available), Now).Events);
        Assert.Equal(RolloutStatus.Pending, v2.Rollout); // a new revision starts Pending
    }

    [Fact]
    public void Given_a_workload_When_the_tracker_finds_a_hand_made_change_and_later_none_Then_drift_is_detected_and_then_cleared()
    {
        var available = Then(Deployed(), Deployed().Observe(Seen(1, RolloutStatus.Available), Now).Events);

        var detected = Assert.IsType<WorkloadDriftDetected>(
            available.Observe(Seen(1, RolloutStatus.Available, null, "replicas: 5 on the cluster, 2 in Cocktail"), Now).Single());
        var drifted = available.Apply(detected);
        Assert.Equal(["replicas: 5 on the cluster, 2 in Cocktail"], drifted.Drift);
        Assert.Empty(drifted.Observe(Seen(1, RolloutStatus.Available, null, "replicas: 5 on the cluster, 2 in Cocktail"), Now).Events);

        Assert.IsType<WorkloadDriftCleared>(drifted.Observe(Seen(1, RolloutStatus.Available), Now).Single());
    }

    [Fact]
    public void Given_a_workload_When_the_rollout_and_drift_change_in_one_observation_Then_both_are_recorded_rollout_first()
    {
        var events = Deployed().Observe(Seen(1, RolloutStatus.Available, null, "image of web: web:2 on the cluster, web:1 in Cocktail"), Now).Events;

        Assert.Collection(events, e => Assert.IsType<WorkloadRolloutChanged>(e), e => Assert.IsType<WorkloadDriftDetected>(e));
    }

    [Fact]
    public void Given_a_deleted_workload_When_the_tracker_or_an_apply_reports_Then_nothing_is_recorded()
    {
        var deleted = Then(Deployed(), Deployed().Delete("retired", Dev, Now));

        Assert.Empty(deleted.Observe(Seen(deleted.Revision, RolloutStatus.Removed), Now).Events);
        Assert.Empty(deleted.RecordApply(ClusterOutcome.Refused("gone"), Now).Events);
    }

    [Fact]
    public void Given_a_workload_When_the_cluster_refused_its_revision_Then_the_rollout_failed_with_the_clusters_reason_recorded_once()
    {
        var failed = Assert.IsType<WorkloadRolloutChanged>(Deployed().RecordApply(ClusterOutcome.Refused("exceeded quota: pods=10"), Now).Single());
        Assert.Equal((RolloutStatus.Failed, "exceeded quota: pods=10"), (failed.Status, failed.Message));

        var afterFailure = Deployed().Apply(failed);
        Assert.Empty(afterFailure.RecordApply(ClusterOutcome.Refused("exceeded quota: pods=10"), Now).Events);
        Assert.Single(afterFailure.RecordApply(ClusterOutcome.Refused("forbidden"), Now).Events);
    }

    [Fact]
    public void Given_a_workload_When_the_cluster_applied_it_or_did_not_answer_Then_the_apply_says_nothing_of_the_rollout()
    {
        Assert.Empty(Deployed().RecordApply(ClusterOutcome.Applied, Now).Events);
        Assert.Empty(Deployed().RecordApply(ClusterOutcome.Unreachable, Now).Events);
    }

    [Fact]
    public void the_spec_a_change_puts_in_place_is_read_from_its_decision_and_a_deletion_puts_none()
    {
        var workload = Deployed();

        Assert.Equal(5, Workload.SpecAfter(workload.Scale(5, null, null, Dev, Now))!.Replicas);
        Assert.Equal("registry.example.com/shop/web:2", Workload.SpecAfter(workload.Update(Web("registry.example.com/shop/web:2"), null, Dev, Now))!.Containers[0].Image);
        Assert.Null(Workload.SpecAfter(workload.Delete(null, Dev, Now)));
    }

    [Fact]
    public void a_workload_knows_the_cluster_and_namespace_it_was_deployed_to()
    {
        var cluster = Guid.NewGuid();
        var workload = Given.Events<Workload>(Workload.Deploy(Id, Guid.NewGuid(), Guid.NewGuid(), cluster, "shop", Web(), null, Dev, Now).Single());

        Assert.Equal((cluster, "shop"), (workload.ClusterId, workload.Namespace));
    }
}
