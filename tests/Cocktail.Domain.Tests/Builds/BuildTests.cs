using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tests.Builds;

public sealed class BuildTests
{
    static readonly ActorRef Dev = new(Guid.NewGuid(), "dev");
    static readonly DateTimeOffset At = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    static BuildSource Source(string template = "{branch}-{buildNumber}", string gitUrl = "https://git.example.com/shop/web.git", string dockerfile = "Dockerfile") =>
        new(gitUrl, "refs/heads/feature/login", ".", dockerfile, new Dictionary<string, string>(), "web", template);

    static BuildDefinition Definition(string template = "{branch}-{buildNumber}") =>
        BuildDefinition.Create((BuildDefinitionCreated)BuildDefinition.Create(Guid.NewGuid(), Guid.NewGuid(), "shop", "web", Source(template), false, Dev, At).Events.Single());

    [Theory]
    [InlineData("ftp://git.example.com/x.git", "gitUrl")]
    [InlineData("https://user:pw@git.example.com/x.git", "gitUrl")]
    [InlineData("file:///etc/passwd", "gitUrl")]
    public void a_git_url_that_is_not_http_or_ssh_is_refused(string url, string field) =>
        Assert.Equal(field, BuildDefinition.Create(Guid.NewGuid(), Guid.NewGuid(), "shop", "web", Source(gitUrl: url), false, Dev, At).Error!.Field);

    [Theory]
    [InlineData("ssh://git@git.example.com/shop/web.git")]
    [InlineData("git@github.com:shop/web.git")]
    [InlineData("http://git.internal:8080/shop/web.git")]
    public void ssh_and_http_git_urls_are_accepted(string url) =>
        Assert.False(BuildDefinition.Create(Guid.NewGuid(), Guid.NewGuid(), "shop", "web", Source(gitUrl: url), false, Dev, At).IsRefused);

    [Theory]
    [InlineData("../Dockerfile")]
    [InlineData("/Dockerfile")]
    [InlineData("docker/../../Dockerfile")]
    public void a_dockerfile_outside_the_context_is_refused(string path) =>
        Assert.Equal("dockerfile", BuildDefinition.Create(Guid.NewGuid(), Guid.NewGuid(), "shop", "web", Source(dockerfile: path), false, Dev, At).Error!.Field);

    [Theory]
    [InlineData("{branch}/{buildNumber}")]
    [InlineData("-{branch}")]
    [InlineData("{unknown}")]
    public void a_tag_template_that_yields_an_invalid_tag_is_refused(string template) =>
        Assert.Equal("tagTemplate", BuildDefinition.Create(Guid.NewGuid(), Guid.NewGuid(), "shop", "web", Source(template), false, Dev, At).Error!.Field);

    [Fact]
    public void a_run_gets_its_tag_from_the_template_and_its_image_under_the_workspace()
    {
        var queued = (BuildQueued)Definition("{branch}-{shortSha}-{buildNumber}").Queue(Guid.NewGuid(), 7, "registry.example.com", "0a1b2c3d4e5f", null, Dev, At).Events.Single();
        Assert.Equal(("feature-login-0a1b2c3-7", "registry.example.com/shop/web:feature-login-0a1b2c3-7"), (queued.Tag, queued.Image));
    }

    [Fact]
    public void a_template_with_the_short_sha_needs_a_commit() =>
        Assert.Equal("commit", Definition("{shortSha}").Queue(Guid.NewGuid(), 1, "r.example.com", null, null, Dev, At).Error!.Field);

    static Build Running()
    {
        var definition = Definition();
        var build = Build.Create((BuildQueued)definition.Queue(Guid.NewGuid(), 1, "r.example.com", null, null, Dev, At).Events.Single());
        return build.Apply((BuildStarted)build.Start(Guid.NewGuid(), "builder", "cocktail-builds", "build-web-1", Guid.NewGuid(), At).Events.Single());
    }

    [Fact]
    public void an_ended_job_with_a_digest_succeeds_with_its_duration_and_a_running_job_changes_nothing()
    {
        var build = Running();
        Assert.Empty(build.Observe(new BuildJobObservation(BuildJobPhase.Running, null, null), At.AddSeconds(5)).Events);
        var succeeded = (BuildSucceeded)build.Observe(new BuildJobObservation(BuildJobPhase.Succeeded, "sha256:" + new string('a', 64), null), At.AddSeconds(42)).Events.Single();
        Assert.Equal((TimeSpan.FromSeconds(42), "sha256:" + new string('a', 64)), (succeeded.Duration, succeeded.Digest));
        Assert.Empty(build.Apply(succeeded).Observe(new BuildJobObservation(BuildJobPhase.Failed, null, "late"), At.AddSeconds(50)).Events);
    }

    [Fact]
    public void a_failed_or_vanished_job_fails_the_build_with_the_reason()
    {
        Assert.Equal("error pushing image", ((BuildFailed)Running().Observe(new BuildJobObservation(BuildJobPhase.Failed, null, "error pushing image"), At).Events.Single()).Reason);
        Assert.Contains("gone", ((BuildFailed)Running().Observe(new BuildJobObservation(BuildJobPhase.Missing, null, null), At).Events.Single()).Reason);
    }

    [Fact]
    public void cancelling_an_ended_build_is_a_conflict()
    {
        var build = Running();
        var cancelled = (BuildCancelled)build.Cancel("stop", Dev, At).Events.Single();
        Assert.Equal(ErrorKind.Conflict, build.Apply(cancelled).Cancel(null, Dev, At).Error!.Kind);
    }
}
