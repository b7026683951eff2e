using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Workloads;

namespace Cocktail.Domain.Tests.Pipelines;

public sealed class PipelineRunTests
{
    static readonly ActorRef Dev = new(Guid.NewGuid(), "dev");
    static readonly ActorRef Admin = new(Guid.NewGuid(), "boss");
    static readonly DateTimeOffset At = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    static readonly Guid DevMap = Guid.NewGuid();
    static readonly Guid ProdMap = Guid.NewGuid();
    static readonly Guid DevWeb = Guid.NewGuid();
    static readonly Guid ProdWeb = Guid.NewGuid();
    static readonly PipelineArtifact Image = new("registry.example.com/shop/web", "1.0", "sha256:" + new string('a', 64));

    static PipelineDefinition Definition(bool waitForRollout = true) => new("web", new PipelineSource(PipelineSourceKind.Registry, Repository: "web", Tags: "*"),
    [
        new PipelineStage("dev", StageKind.Deploy, Targets: [new DeployTarget(DevMap, "web", ["web"])], WaitForRollout: waitForRollout),
        new PipelineStage("prod", StageKind.Promote, Targets: [new DeployTarget(ProdMap, "web", ["web"])], ApprovalBy: WorkspaceRole.WorkspaceAdmin,
            WaitForRollout: waitForRollout),
    ]);

    static PipelineRun Queued(PipelineDefinition? definition = null) =>
        PipelineRun.Create(new PipelineRunQueued(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "web", 3, 1, definition ?? Definition(),
            new RunTrigger(TriggerKind.Manual, Tag: "1.0", Detail: "dev"), Image, null, Dev, At));

    static PipelineRun After(PipelineRun run, Decision decision)
    {
        Assert.Null(decision.Error);
        return decision.Events.Aggregate(run, (r, e) => r.Fold(e));
    }

    static PipelineRun Started(PipelineDefinition? definition = null)
    {
        var run = Queued(definition);
        return After(run, run.Start(Dev, At));
    }

    static PipelineRun DevDeployed(bool unchanged = false)
    {
        var run = Started();
        return After(run, run.RecordDeploy("dev", Image.Reference, [new DeployedWorkload(DevWeb, DevMap, "shop-dev", "web", unchanged ? 4 : 5, 4)], At.AddSeconds(1)));
    }

    [Fact]
    public void starting_a_run_starts_the_stages_that_wait_for_nothing()
    {
        var decision = Queued().Start(Dev, At);
        Assert.Collection(decision.Events,
            e => Assert.IsType<PipelineRunStarted>(e),
            e => Assert.Equal("dev", Assert.IsType<PipelineStepStarted>(e).Stage));
        var run = After(Queued(), decision);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal(StepStatus.Pending, run.StepOf("prod").Status);
    }

    [Fact]
    public void a_running_run_does_not_start_again() =>
        Assert.Empty(Started().Start(Dev, At).Events);

    [Fact]
    public void a_deploy_waits_for_its_rollout_then_asks_for_the_promotions_approval()
    {
        var run = DevDeployed();
        Assert.Equal(StepStatus.Running, run.StepOf("dev").Status);
        var decision = run.RolloutObserved(DevWeb, 5, RolloutStatus.Available, null, At.AddSeconds(5));
        Assert.Collection(decision.Events,
            e => Assert.IsType<PipelineRolloutObserved>(e),
            e => Assert.Equal("dev", Assert.IsType<PipelineStepSucceeded>(e).Stage),
            e => Assert.Equal(Image, Assert.IsType<PipelineDeployed>(e).Artifact),
            e => Assert.Equal(WorkspaceRole.WorkspaceAdmin, Assert.IsType<ApprovalRequested>(e).Role));
        Assert.Equal(StepStatus.WaitingApproval, After(run, decision).StepOf("prod").Status);
    }

    [Fact]
    public void a_rollout_of_another_revision_changes_nothing() =>
        Assert.Empty(DevDeployed().RolloutObserved(DevWeb, 4, RolloutStatus.Available, null, At).Events);

    [Fact]
    public void an_unchanged_workload_has_no_rollout_to_wait_for()
    {
        var run = DevDeployed(unchanged: true);
        Assert.Equal(StepStatus.Succeeded, run.StepOf("dev").Status);
        Assert.Equal(StepStatus.WaitingApproval, run.StepOf("prod").Status);
    }

    static PipelineRun AwaitingProd()
    {
        var run = DevDeployed();
        return After(run, run.RolloutObserved(DevWeb, 5, RolloutStatus.Available, null, At.AddSeconds(5)));
    }

    [Fact]
    public void an_approval_starts_the_stage_and_its_deploy_is_recorded_with_the_approver()
    {
        var run = AwaitingProd();
        var approved = run.Approve("prod", Admin, " ship it ", At.AddMinutes(1));
        Assert.Collection(approved.Events,
            e => Assert.Equal("ship it", Assert.IsType<ApprovalGiven>(e).Comment),
            e => Assert.Equal("prod", Assert.IsType<PipelineStepStarted>(e).Stage));
        run = After(run, approved);
        run = After(run, run.RecordDeploy("prod", Image.Reference, [new DeployedWorkload(ProdWeb, ProdMap, "shop-prod", "web", 8, 7)], At.AddMinutes(2)));
        var done = run.RolloutObserved(ProdWeb, 8, RolloutStatus.Complete, null, At.AddMinutes(3));
        var deployed = Assert.Single(done.Events.OfType<PipelineDeployed>());
        Assert.True(deployed.Production);
        Assert.Equal(Admin, deployed.ApprovedBy);
        Assert.IsType<PipelineRunSucceeded>(done.Events[^1]);
        Assert.Equal(RunStatus.Succeeded, After(run, done).Status);
    }

    [Fact]
    public void approving_a_stage_that_does_not_wait_for_approval_is_a_conflict() =>
        Assert.Equal(ErrorKind.Conflict, DevDeployed().Approve("prod", Admin, null, At).Refused().Kind);

    [Fact]
    public void approving_an_unknown_stage_is_not_found() =>
        Assert.Equal(ErrorKind.NotFound, AwaitingProd().Approve("staging", Admin, null, At).Refused().Kind);

    [Fact]
    public void a_rejection_needs_a_reason_and_fails_the_run()
    {
        var run = AwaitingProd();
        Assert.Equal("reason", run.Reject("prod", Admin, " ", At).Refused().Field);
        var rejected = run.Reject("prod", Admin, "not on a Friday", At.AddMinutes(1));
        Assert.Collection(rejected.Events,
            e => Assert.Equal("not on a Friday", Assert.IsType<ApprovalRejected>(e).Reason),
            e => Assert.Contains("Rejected by boss: not on a Friday", Assert.IsType<PipelineStepFailed>(e).Reason),
            e => Assert.Equal("prod", Assert.IsType<PipelineRunFailed>(e).Stage));
        Assert.Equal(RunStatus.Failed, After(run, rejected).Status);
    }

    [Fact]
    public void a_stalled_rollout_rolls_the_workloads_back_and_fails_the_run()
    {
        var decision = DevDeployed().RolloutObserved(DevWeb, 5, RolloutStatus.Stalled, "ErrImagePull", At.AddMinutes(1));
        var back = Assert.Single(decision.Events.OfType<PipelineDeployRolledBack>());
        Assert.Equal((5, 4), (back.FromRevision, back.ToRevision));
        var failed = Assert.Single(decision.Events.OfType<PipelineStepFailed>());
        Assert.Contains("stalled: ErrImagePull", failed.Reason);
        Assert.Contains("Rolled back: web to revision 4", failed.Reason);
        Assert.True(Assert.Single(decision.Events.OfType<PipelineDeployFailed>()).RolledBack);
        Assert.IsType<PipelineRunFailed>(decision.Events[^1]);
    }

    [Fact]
    public void a_refused_deploy_fails_the_step_without_a_rollback()
    {
        var decision = Started().Fail("dev", "The quota is exceeded.", At.AddSeconds(2));
        Assert.Empty(decision.Events.OfType<PipelineDeployRolledBack>());
        Assert.False(Assert.Single(decision.Events.OfType<PipelineDeployFailed>()).RolledBack);
        Assert.Equal("The quota is exceeded.", Assert.IsType<PipelineRunFailed>(decision.Events[^1]).Reason);
    }

    [Fact]
    public void a_step_still_running_after_its_timeout_fails_and_rolls_back()
    {
        var run = DevDeployed();
        var decision = run.TimeOut("dev", At, At.AddMinutes(10));
        Assert.Single(decision.Events.OfType<PipelineDeployRolledBack>());
        Assert.Contains("did not finish within 10 minutes", Assert.Single(decision.Events.OfType<PipelineStepFailed>()).Reason);
    }

    [Fact]
    public void a_timeout_of_an_earlier_start_or_of_an_ended_step_changes_nothing()
    {
        Assert.Empty(DevDeployed().TimeOut("dev", At.AddSeconds(-30), At.AddMinutes(10)).Events);
        Assert.Empty(AwaitingProd().TimeOut("dev", At, At.AddMinutes(10)).Events);
    }

    [Fact]
    public void a_queued_or_running_run_can_be_cancelled_once()
    {
        Assert.IsType<PipelineRunCancelled>(Queued().Cancel("superseded by run #4", Dev, At).Single());
        var run = DevDeployed();
        var cancelled = After(run, run.Cancel(null, Dev, At.AddMinutes(1)));
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
        Assert.Equal(ErrorKind.Conflict, cancelled.Cancel(null, Dev, At.AddMinutes(2)).Refused().Kind);
        Assert.Empty(cancelled.RolloutObserved(DevWeb, 5, RolloutStatus.Available, null, At).Events);
    }

    [Fact]
    public void a_deploy_without_waiting_for_the_rollout_succeeds_at_once()
    {
        var run = Started(Definition(waitForRollout: false));
        var decision = run.RecordDeploy("dev", Image.Reference, [new DeployedWorkload(DevWeb, DevMap, "shop-dev", "web", 5, 4)], At);
        Assert.Contains(decision.Events, e => e is PipelineStepSucceeded { Stage: "dev" });
        Assert.IsType<ApprovalRequested>(decision.Events[^1]);
    }

    [Fact]
    public void lines_are_logged_once_the_run_started_also_after_it_ended_for_its_rollbacks()
    {
        Assert.IsType<PipelineStepLogged>(Started().Log("dev", ["hello"], At).Single());
        Assert.Empty(Queued().Log("dev", ["hello"], At).Events);
        Assert.Empty(Started().Log("staging", ["hello"], At).Events);
        var run = DevDeployed();
        var failed = After(run, run.RolloutObserved(DevWeb, 5, RolloutStatus.Stalled, "ErrImagePull", At));
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.IsType<PipelineStepLogged>(failed.Log("dev", ["web rolled back to revision 4's spec, as revision 6."], At).Single());
    }
}
