using System.Text.Json.Nodes;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Common;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Domain.Tests.Charts;

public sealed class ChartReleaseTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Cluster = Guid.NewGuid();
    private static readonly ChartReleaseTarget Addon = new(Cluster, "prod", "cert-manager", Addon: "cert-manager");
    private static readonly ChartSource Source = new("https://charts.jetstack.io", ChartRepositoryKind.Http, "cert-manager");

    private static JsonObject Values(string json) => JsonNode.Parse(json)!.AsObject();

    private static ChartReleaseInstallRequested Requested(string values = """{"crds":{"enabled":true}}""") =>
        Assert.IsType<ChartReleaseInstallRequested>(ChartRelease.Request("cert-manager", Addon, Source, "1.14.5", Values(values), Admin, Now, "tls for ingress").Single());

    private static ChartRelease Installed(params object[] more) => Given.Events<ChartRelease>([Requested(), .. more]);

    private static HelmReleaseObservation Seen(string ready, string? reason, string? message = null, long generation = 1, long observed = 1,
        HelmHistoryEntry[]? history = null, ObservedCondition? remediated = null) =>
        new(true, generation, observed,
            [new ObservedCondition("Ready", ready, reason, message), new ObservedCondition("Released", ready, reason, message), .. remediated is null ? Array.Empty<ObservedCondition>() : [remediated]],
            history ?? []);

    [Fact]
    public void Given_a_valid_request_When_installed_Then_the_event_carries_values_who_and_why_as_revision_1()
    {
        var e = Requested();

        Assert.Equal(ChartRelease.IdFor(Cluster, "cert-manager", "cert-manager"), e.ReleaseId);
        Assert.Equal((1, "1.14.5", "admin", "tls for ingress"), (e.Revision, e.Version, e.RequestedBy.Name, e.Reason));
        Assert.True(e.Values["crds"]!["enabled"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("Cert_Manager", "1.0.0", "name")]
    [InlineData("a-release-name-that-is-far-too-long-for-helm-to-store-it", "1.0.0", "name")]
    [InlineData("cert-manager", "latest", "version")]
    public void Given_a_bad_name_or_version_When_installed_Then_it_is_refused_on_the_field(string name, string version, string field)
    {
        var error = ChartRelease.Request(name, Addon, Source, version, [], Admin, Now, null).Refused();

        Assert.Equal((ErrorKind.Invalid, field), (error.Kind, error.Field));
    }

    [Fact]
    public void Given_an_installed_release_When_installed_again_Then_it_is_a_conflict_on_the_name()
    {
        var error = Installed().Reinstall(Addon, Source, "1.14.5", [], Admin, Now, null).Refused();

        Assert.Equal((ErrorKind.Conflict, "name"), (error.Kind, error.Field));
    }

    [Fact]
    public void Given_new_values_When_changed_Then_the_event_has_the_whole_values_before_and_after_as_a_new_revision()
    {
        var e = Assert.IsType<ChartReleaseValuesChanged>(Installed().ChangeValues(Values("""{"replicaCount":3}"""), Admin, Now, "ha").Single());

        Assert.Equal(2, e.Revision);
        Assert.Equal("""{"crds":{"enabled":true}}""", e.Before.ToJsonString());
        Assert.Equal("""{"replicaCount":3}""", e.After.ToJsonString());
    }

    [Fact]
    public void Given_the_same_values_When_changed_Then_nothing_is_recorded()
    {
        var decision = Installed().ChangeValues(Values("""{"crds":{"enabled":true}}"""), Admin, Now, null);

        Assert.Empty(decision.Events);
        Assert.Null(decision.Error);
    }

    [Fact]
    public void Given_a_newer_version_When_upgraded_Then_the_current_values_go_along()
    {
        var e = Assert.IsType<ChartReleaseUpgradeRequested>(Installed().Upgrade("1.15.0", null, Admin, Now, null).Single());

        Assert.Equal(("1.14.5", "1.15.0", 2), (e.From, e.To, e.Revision));
        Assert.True(JsonNode.DeepEquals(e.Before, e.After));
    }

    [Theory]
    [InlineData("1.14.5", "runs 1.14.5 already")]
    [InlineData("1.14.0", "older than 1.14.5")]
    [InlineData("1.15.0-rc.1", null)]
    public void Given_the_same_or_an_older_version_When_upgraded_Then_it_is_refused_on_the_version(string version, string? message)
    {
        var decision = Installed().Upgrade(version, null, Admin, Now, null);

        if (message is null) { Assert.IsType<ChartReleaseUpgradeRequested>(decision.Single()); return; }
        var error = decision.Refused();
        Assert.Equal("version", error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_upgrade_When_rolled_back_to_revision_1_Then_its_version_and_values_are_applied_again_as_revision_3()
    {
        var release = Installed(new ChartReleaseUpgradeRequested(ChartRelease.IdFor(Cluster, "cert-manager", "cert-manager"), "cert-manager", "prod", 2,
            "1.14.5", "1.15.0", Values("""{"crds":{"enabled":true}}"""), Values("""{"replicaCount":2}"""), Admin, Now));

        var e = Assert.IsType<ChartReleaseRollbackRequested>(release.RollBack(1, Admin, Now, "1.15 breaks webhooks").Single());

        Assert.Equal((3, 1, "1.15.0", "1.14.5"), (e.Revision, e.ToRevision, e.From, e.To));
        Assert.Equal("""{"crds":{"enabled":true}}""", e.After.ToJsonString());
        var after = release.Apply(e);
        Assert.Equal(("1.14.5", 3), (after.Version, after.Revision));
    }

    [Theory]
    [InlineData(1, "is the current one")]
    [InlineData(7, "has no revision 7")]
    public void Given_the_current_or_an_unknown_revision_When_rolled_back_Then_it_is_refused(int revision, string message)
    {
        var error = Installed().RollBack(revision, Admin, Now, null).Refused();

        Assert.Equal("revision", error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_an_uninstall_When_anything_else_is_asked_Then_it_is_a_conflict_and_a_second_uninstall_is_nothing()
    {
        var release = Installed(Installed().RequestUninstall(Admin, Now, "moving to istio").Single());

        Assert.Equal(ErrorKind.Conflict, release.ChangeValues([], Admin, Now, null).Refused().Kind);
        Assert.Empty(release.RequestUninstall(Admin, Now, null).Events);
    }

    [Fact]
    public void Given_an_uninstall_When_the_helm_release_is_gone_Then_it_is_uninstalled_and_may_be_installed_again()
    {
        var release = Installed(Installed().RequestUninstall(Admin, Now, null).Single());

        var gone = Assert.IsType<ChartReleaseUninstalled>(release.Observe(HelmReleaseObservation.Gone, Now).Single());
        var reinstall = Assert.IsType<ChartReleaseInstallRequested>(release.Apply(gone).Reinstall(Addon, Source, "1.15.0", [], Admin, Now, null).Single());

        Assert.Equal(2, reinstall.Revision);
    }

    [Fact]
    public void Given_a_new_helm_revision_in_the_history_When_observed_Then_it_is_deployed_once()
    {
        var seen = Seen("True", "InstallSucceeded", history: [new HelmHistoryEntry(1, "1.14.5", "v1.14.5", "deployed")]);

        var e = Assert.IsType<ChartReleaseDeployed>(Installed().Observe(seen, Now).Single());
        var again = Installed(e).Observe(seen, Now);

        Assert.Equal((1, "1.14.5", "v1.14.5"), (e.HelmRevision, e.ChartVersion, e.AppVersion));
        Assert.Empty(again.Events);
        Assert.Equal(ChartReleaseStatus.Deployed, Installed(e).Status);
    }

    [Fact]
    public void Given_a_failed_upgrade_When_observed_Then_the_failure_is_recorded_once_with_helms_message()
    {
        var seen = Seen("False", "UpgradeFailed", "Helm upgrade failed: values don't meet the specifications of the schema(s)");

        var e = Assert.IsType<ChartReleaseFailed>(Installed().Observe(seen, Now).Single());

        Assert.Equal("UpgradeFailed", e.Reason);
        Assert.Contains("schema", e.Message, StringComparison.Ordinal);
        Assert.Empty(Installed(e).Observe(seen, Now).Events);
        Assert.Equal(ChartReleaseStatus.Failed, Installed(e).Status);
    }

    [Fact]
    public void Given_a_passing_failure_after_a_deploy_When_flux_reports_ready_again_Then_the_release_is_deployed_again()
    {
        var history = new[] { new HelmHistoryEntry(1, "1.14.5", "v1.14.5", "deployed") };
        var deployed = Assert.IsType<ChartReleaseDeployed>(Installed().Observe(Seen("True", "InstallSucceeded", history: history), Now).Single());
        var failed = Assert.IsType<ChartReleaseFailed>(Installed(deployed).Observe(
            Seen("False", "ArtifactFailed", "HelmChart 'cert-manager/cert-manager-cert-manager' is not ready: no artifact available", history: history), Now).Single());

        var recovered = Installed(deployed, failed).Observe(Seen("True", "UpgradeSucceeded", history: history), Now);

        Assert.Equal(1, Assert.IsType<ChartReleaseDeployed>(recovered.Single()).HelmRevision);
        Assert.Equal(ChartReleaseStatus.Deployed, Installed(deployed, failed, recovered.Single()).Status);
        Assert.Empty(Installed(deployed, failed, recovered.Single()).Observe(Seen("True", "UpgradeSucceeded", history: history), Now).Events);
    }

    [Fact]
    public void Given_a_chart_source_not_ready_When_observed_soon_after_the_change_Then_it_is_a_wait_and_later_a_failure()
    {
        var seen = Seen("False", ChartRelease.SourceNotReady, "HelmChart 'cert-manager/cert-manager-cert-manager' is not ready: invalid chart reference");

        Assert.Empty(Installed().Observe(seen, Now.AddSeconds(30)).Events);
        var failed = Assert.IsType<ChartReleaseFailed>(Installed().Observe(seen, Now + ChartRelease.SourceWait).Single());
        Assert.Contains("invalid chart reference", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_status_of_an_older_generation_When_observed_Then_its_failure_is_not_taken_for_the_new_one()
    {
        var seen = Seen("False", "UpgradeFailed", "old failure", generation: 2, observed: 1);

        Assert.Empty(Installed().Observe(seen, Now).Events);
    }

    [Fact]
    public void Given_a_remediation_by_rollback_When_observed_Then_the_remediation_and_the_rolled_back_revision_are_recorded()
    {
        var seen = Seen("False", "UpgradeFailed", "boom", history: [new HelmHistoryEntry(3, "1.14.5", null, "deployed"), new HelmHistoryEntry(2, "1.15.0", null, "failed")],
            remediated: new ObservedCondition("Remediated", "True", "RollbackSucceeded", "Helm rollback to previous release succeeded"));

        var events = Installed().Observe(seen, Now).Events;

        Assert.Collection(events,
            e => Assert.Equal(3, Assert.IsType<ChartReleaseDeployed>(e).HelmRevision),
            e => Assert.Equal("RollbackSucceeded", Assert.IsType<ChartReleaseRemediated>(e).Reason),
            e => Assert.Equal("UpgradeFailed", Assert.IsType<ChartReleaseFailed>(e).Reason));
    }

    [Fact]
    public void Given_an_apply_of_a_superseded_revision_When_recorded_Then_nothing_is()
    {
        var release = Installed(Installed().ChangeValues(Values("""{"a":1}"""), Admin, Now, null).Single());

        Assert.Empty(release.RecordApply(1, null, Now).Events);
        Assert.IsType<ChartReleaseApplied>(release.RecordApply(2, null, Now).Single());
        Assert.IsType<ChartReleaseApplyFailed>(release.RecordApply(2, "connection refused", Now).Single());
    }

    [Theory]
    [InlineData("1.14.9", "1.15.0", -1)]
    [InlineData("v1.15.0", "1.15.0", 0)]
    [InlineData("1.15.0-rc.1", "1.15.0", -1)]
    [InlineData("1.15.0-rc.2", "1.15.0-rc.10", -1)]
    [InlineData("2.0.0", "1.99.99", 1)]
    public void chart_versions_compare_as_semver(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(ChartSemVer.Compare(a, b)));
}
