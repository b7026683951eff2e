using Cocktail.Domain.Pipelines;

namespace Cocktail.Domain.Tests.Pipelines;

public sealed class PipelineDefinitionTests
{
    static readonly Guid Dev = Guid.NewGuid();
    static readonly Guid Prod = Guid.NewGuid();
    static readonly Guid Api = Guid.NewGuid();

    static PipelineStage Build(string name = "build", IReadOnlyList<string>? after = null) => new(name, StageKind.Build, after, BuildDefinition: Api);

    static PipelineStage Deploy(string name, Guid map, IReadOnlyList<string>? after = null, StageKind kind = StageKind.Deploy) =>
        new(name, kind, after, Targets: [new DeployTarget(map, "api", ["api"])]);

    static PipelineDefinition Git(params PipelineStage[] stages) =>
        new("shop", new PipelineSource(PipelineSourceKind.Git, "https://git.example.com/shop/api.git", "main"), stages);

    static PipelineDefinition Registry(params PipelineStage[] stages) =>
        new("shop", new PipelineSource(PipelineSourceKind.Registry, Repository: "api", Tags: "v*"), stages);

    [Fact]
    public void build_deploy_promote_in_order_is_accepted() =>
        Assert.Null(Git(Build(), Deploy("dev", Dev), Deploy("prod", Prod, kind: StageKind.Promote)).Check());

    [Fact]
    public void stages_that_wait_for_each_other_are_a_cycle_named_stage_by_stage()
    {
        var error = Git(Build(after: []), Deploy("dev", Dev, ["build", "prod"]), Deploy("prod", Prod, ["dev"], StageKind.Promote)).Check();
        Assert.Equal("stages", error!.Field);
        Assert.Contains("dev → prod → dev", error.Message);
    }

    [Fact]
    public void waiting_for_a_stage_that_does_not_exist_is_refused_on_the_stages_after()
    {
        var error = Git(Build(), Deploy("dev", Dev, ["bulid"])).Check();
        Assert.Equal(("stages[1].after", "Stage 'dev' waits for 'bulid', which is not a stage of this pipeline."), (error!.Field, error.Message));
    }

    [Fact]
    public void a_stage_cannot_wait_for_itself() =>
        Assert.Equal("stages[1].after", Git(Build(), Deploy("dev", Dev, ["dev"])).Check()!.Field);

    [Fact]
    public void a_promotion_without_a_deploy_before_it_is_refused()
    {
        var error = Registry(Deploy("prod", Prod, kind: StageKind.Promote)).Check();
        Assert.Equal("stages[0].after", error!.Field);
        Assert.Contains("Promote stage 'prod'", error.Message);
    }

    [Fact]
    public void a_deploy_from_a_git_source_without_a_build_before_it_is_refused()
    {
        var error = Git(Deploy("dev", Dev), Build(after: [])).Check();
        Assert.Equal("stages[0].after", error!.Field);
        Assert.Contains("needs an image", error.Message);
    }

    [Fact]
    public void a_registry_source_deploys_without_a_build() => Assert.Null(Registry(Deploy("dev", Dev)).Check());

    [Fact]
    public void two_stages_with_one_name_are_refused() =>
        Assert.Equal("stages[1].name", Git(Build(), Build()).Check()!.Field);

    [Fact]
    public void a_git_push_trigger_needs_a_git_source() =>
        Assert.Equal("triggers.gitPush", (Registry(Deploy("dev", Dev)) with { Triggers = new PipelineTriggers(GitProvider.GitHub) }).Check()!.Field);

    [Fact]
    public void a_build_stage_names_its_build_definition() =>
        Assert.Equal("stages[0].buildDefinition", Git(new PipelineStage("build", StageKind.Build)).Check()!.Field);

    [Fact]
    public void changing_to_the_same_definition_decides_nothing()
    {
        var by = new Common.ActorRef(Guid.NewGuid(), "dev");
        var created = (PipelineCreated)Pipeline.Create(Guid.NewGuid(), Guid.NewGuid(), "team", Git(Build(), Deploy("dev", Dev)), by, DateTimeOffset.UnixEpoch)
            .Events.Single();
        var pipeline = Pipeline.Create(created);
        Assert.Empty(pipeline.Change(Git(Build(), Deploy("dev", Dev)), null, by, DateTimeOffset.UnixEpoch).Events);
        var changed = (PipelineChanged)pipeline.Change(Git(Build(), Deploy("dev", Prod)), "prod now", by, DateTimeOffset.UnixEpoch).Events.Single();
        Assert.Equal((2, Dev, Prod), (changed.Version, changed.Before.Stages[1].Targets![0].ServiceMap, changed.After.Stages[1].Targets![0].ServiceMap));
    }
}
