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
}
