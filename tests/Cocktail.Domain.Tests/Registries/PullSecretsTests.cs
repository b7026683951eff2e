using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;

namespace Cocktail.Domain.Tests.Registries;

public sealed class ExternalRegistryTests
{
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Workspace = Guid.NewGuid();
    private const string EcrServer = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

    private static Decision Add(ExternalRegistryKind kind, string? server, string user, string secret, string name = "reg") =>
        ExternalRegistry.Add(Guid.NewGuid(), Workspace, "shop", name, kind, server, user, secret, Admin, At);

    [Theory]
    [InlineData(ExternalRegistryKind.DockerHub, null, "docker.io")]
    [InlineData(ExternalRegistryKind.Ghcr, "elsewhere.example.com", "ghcr.io")]
    [InlineData(ExternalRegistryKind.Quay, null, "quay.io")]
    [InlineData(ExternalRegistryKind.Gcr, "EU.gcr.io", "eu.gcr.io")]
    [InlineData(ExternalRegistryKind.Harbor, "Harbor.Example.com:8443", "harbor.example.com:8443")]
    public void the_public_services_have_their_own_host_and_the_others_take_the_one_given(ExternalRegistryKind kind, string? given, string expected)
    {
        var user = kind == ExternalRegistryKind.Gcr ? "oauth2accesstoken" : "someone";
        var added = (ExternalRegistryAdded)Add(kind, given, user, "a-token-123").Single();
        Assert.Equal(expected, added.Server);
    }

    [Fact]
    public void docker_hub_credentials_go_under_the_key_docker_login_writes()
    {
        Assert.Equal("https://index.docker.io/v1/", ExternalRegistryRules.ConfigKey(ExternalRegistryKind.DockerHub, "docker.io"));
        Assert.Equal("ghcr.io", ExternalRegistryRules.ConfigKey(ExternalRegistryKind.Ghcr, "ghcr.io"));
    }

    [Theory]
    [InlineData(ExternalRegistryKind.Ecr, EcrServer, "not-a-key-id", "0123456789012345678901234567890123456789", "userName")]
    [InlineData(ExternalRegistryKind.Ecr, EcrServer, "AKIAIOSFODNN7EXAMPLE", "too-short", "password")]
    [InlineData(ExternalRegistryKind.Ecr, "registry.example.com", "AKIAIOSFODNN7EXAMPLE", "0123456789012345678901234567890123456789", "server")]
    [InlineData(ExternalRegistryKind.Acr, "myregistry.example.com", "sp-id", "secret", "server")]
    [InlineData(ExternalRegistryKind.Gcr, "gcr.io", "someone", "secret", "userName")]
    [InlineData(ExternalRegistryKind.Gcr, "gcr.io", "_json_key", "{\"type\":\"authorized_user\"}", "password")]
    [InlineData(ExternalRegistryKind.Harbor, null, "robot$x", "secret", "server")]
    [InlineData(ExternalRegistryKind.Harbor, "https://harbor.example.com", "robot$x", "secret", "server")]
    [InlineData(ExternalRegistryKind.DockerHub, null, "Not A Docker ID", "secret", "userName")]
    [InlineData(ExternalRegistryKind.Quay, null, "org+bot", "", "password")]
    public void credentials_a_registry_would_never_accept_are_refused_on_their_field(ExternalRegistryKind kind, string? server, string user, string secret, string field)
    {
        var refused = Add(kind, server, user, secret).Error;
        Assert.NotNull(refused);
        Assert.Equal(field, refused.Field);
    }

    [Fact]
    public void a_google_service_account_key_and_an_acr_service_principal_are_accepted()
    {
        const string key = "{\"type\":\"service_account\",\"project_id\":\"p\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\n...\"}";
        Assert.IsType<ExternalRegistryAdded>(Add(ExternalRegistryKind.Gcr, "europe-west1-docker.pkg.dev", "_json_key", key).Single());
        Assert.IsType<ExternalRegistryAdded>(Add(ExternalRegistryKind.Acr, "myregistry.azurecr.io", "00000000-0000-0000-0000-000000000000", "secret").Single());
    }

    [Fact]
    public void a_change_says_whether_the_secret_was_replaced_and_the_same_values_change_nothing()
    {
        var registry = Given.Events<ExternalRegistry>(Add(ExternalRegistryKind.Ghcr, null, "octocat", "old-token").Single());

        var replaced = (ExternalRegistryChanged)registry.Change(null, null, "new-token", "old-token", Admin, At).Single();
        var same = registry.Change(null, "octocat", "old-token", "old-token", Admin, At);

        Assert.True(replaced.SecretReplaced);
        Assert.Equal("octocat", replaced.UserName);
        Assert.Empty(same.Events);
        Assert.Null(same.Error);
    }

    [Fact]
    public void a_removed_registry_is_not_found()
    {
        var registry = Given.Events<ExternalRegistry>(Add(ExternalRegistryKind.Ghcr, null, "octocat", "token").Single(),
            new ExternalRegistryRemoved(Guid.NewGuid(), Workspace, "shop", "reg", Admin, At, null));
        Assert.Equal(ErrorKind.NotFound, registry.Remove(Admin, At, null).Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, registry.Change(null, null, "x", "token", Admin, At).Error!.Kind);
    }
}

public sealed class PullRobotRotationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    [Fact]
    public void a_workspace_without_a_valid_robot_gets_one()
    {
        Assert.True(PullRobotRotation.Plan([], Now, Week, forced: false).IssueNew);
        var expired = new PullRobot(Guid.NewGuid(), Now.AddDays(-40), Now.AddDays(-10), false);
        var revoked = new PullRobot(Guid.NewGuid(), Now.AddDays(-1), Now.AddDays(29), true);
        Assert.True(PullRobotRotation.Plan([expired, revoked], Now, Week, forced: false).IssueNew);
    }

    [Fact]
    public void the_robot_is_replaced_within_the_rotation_window_and_kept_before_it()
    {
        var fresh = new PullRobot(Guid.NewGuid(), Now.AddDays(-20), Now.AddDays(10), false);
        var ending = fresh with { ValidUntil = Now.AddDays(6) };

        Assert.Equal(new PullRobotPlan(false, fresh.Id), PullRobotRotation.Plan([fresh], Now, Week, forced: false));
        Assert.True(PullRobotRotation.Plan([ending], Now, Week, forced: false).IssueNew);
        Assert.True(PullRobotRotation.Plan([fresh], Now, Week, forced: true).IssueNew);
    }

    [Fact]
    public void after_a_rotation_the_newest_is_current_and_every_other_unrevoked_robot_is_revoked()
    {
        var old = new PullRobot(Guid.NewGuid(), Now.AddDays(-25), Now.AddDays(5), false);
        var gone = new PullRobot(Guid.NewGuid(), Now.AddDays(-60), Now.AddDays(-30), true);
        var current = new PullRobot(Guid.NewGuid(), Now, Now.AddDays(30), false);

        Assert.Equal(new PullRobotPlan(false, current.Id), PullRobotRotation.Plan([old, gone, current], Now, Week, forced: false));
        Assert.Equal([old.Id], PullRobotRotation.ToRevoke([old, gone, current], current.Id));
    }

    [Fact]
    public void a_robot_never_lives_longer_than_the_registry_allows()
    {
        Assert.Equal(TimeSpan.FromDays(90), PullRobotRotation.Validity(TimeSpan.FromDays(365), TimeSpan.FromDays(90)));
        Assert.Equal(TimeSpan.FromDays(30), PullRobotRotation.Validity(TimeSpan.FromDays(30), TimeSpan.FromDays(90)));
    }
}
