using Cocktail.Domain.Clusters;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tests.Clusters;

public sealed class ClusterTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Id = Guid.NewGuid();

    private static ClusterRegistered Registered(DateTimeOffset? expiresAt = null) =>
        new(Id, "prod", ClusterProvider.EKS, "eu-1", new Dictionary<string, string>(), "https://prod", CredentialKind.BearerToken,
            expiresAt, "v1.31.0", 3, Admin, Now);

    private static Cluster Connected() => Given.Events<Cluster>(Registered());

    [Fact]
    public void Given_a_connected_cluster_When_the_same_health_is_seen_again_Then_nothing_is_recorded() =>
        Assert.Empty(Connected().Observe(ClusterHealth.Connected, null, "v1.31.0", Now).Events);

    [Fact]
    public void Given_a_connected_cluster_When_its_api_stops_answering_Then_it_became_unreachable_with_the_error()
    {
        var e = Assert.IsType<ClusterBecameUnreachable>(Connected().Observe(ClusterHealth.Unreachable, "connection refused", null, Now).Single());

        Assert.Equal(new ClusterBecameUnreachable(Id, "prod", "connection refused", Now), e);
    }

    [Fact]
    public void Given_a_connected_cluster_When_watches_fail_Then_it_is_degraded_with_a_default_reason()
    {
        var e = Assert.IsType<ClusterDegraded>(Connected().Observe(ClusterHealth.Degraded, null, null, Now).Single());

        Assert.Equal("Some watches are failing.", e.Reason);
    }

    [Fact]
    public void Given_an_unreachable_cluster_When_it_answers_again_Then_it_recovered_from_unreachable_and_its_new_version_is_recorded()
    {
        var unreachable = Given.Events<Cluster>(Registered(), new ClusterBecameUnreachable(Id, "prod", "timeout", Now));

        var events = unreachable.Observe(ClusterHealth.Connected, null, "v1.32.1", Now.AddMinutes(5)).Events;

        Assert.Equal(new object[]
        {
            new ClusterRecovered(Id, "prod", ClusterHealth.Unreachable, Now.AddMinutes(5)),
            new ClusterVersionChanged(Id, "prod", "v1.31.0", "v1.32.1", Now.AddMinutes(5)),
        }, events);
    }

    [Fact]
    public void Given_a_degraded_cluster_When_it_becomes_unreachable_Then_that_is_a_transition_too()
    {
        var degraded = Given.Events<Cluster>(Registered(), new ClusterDegraded(Id, "prod", "watch failed", Now));

        Assert.IsType<ClusterBecameUnreachable>(degraded.Observe(ClusterHealth.Unreachable, null, null, Now).Single());
    }

    [Fact]
    public void Given_an_unregistered_cluster_When_health_is_seen_Then_nothing_is_recorded()
    {
        var gone = Given.Events<Cluster>(Registered(), new ClusterUnregistered(Id, "prod", Admin, Now));

        Assert.Empty(gone.Observe(ClusterHealth.Unreachable, "gone", "v1.32.0", Now).Events);
    }

    [Fact]
    public void unregistering_says_why_and_happens_once()
    {
        var e = Assert.IsType<ClusterUnregistered>(Connected().Unregister("decommissioned", Admin, Now).Single());
        var gone = Given.Events<Cluster>(Registered(), e);

        Assert.Equal(new ClusterUnregistered(Id, "prod", Admin, Now, "decommissioned"), e);
        Assert.Empty(gone.Unregister(null, Admin, Now).Events);
    }

    [Fact]
    public void an_empty_version_changes_nothing() =>
        Assert.Empty(Connected().ObserveVersion("", Now).Events);

    [Fact]
    public void Given_a_credential_that_expires_within_the_warning_time_When_checked_twice_Then_it_is_warned_about_once()
    {
        var cluster = Given.Events<Cluster>(Registered(Now.AddDays(3)));

        var warned = Assert.IsType<ClusterCredentialExpiryWarned>(cluster.WarnIfCredentialExpiring(TimeSpan.FromDays(7), Now).Single());

        Assert.Empty(Given.Events<Cluster>(Registered(Now.AddDays(3)), warned).WarnIfCredentialExpiring(TimeSpan.FromDays(7), Now).Events);
        Assert.Empty(cluster.WarnIfCredentialExpiring(TimeSpan.FromDays(1), Now).Events);
    }

    [Fact]
    public void a_rotated_credential_is_warned_about_again()
    {
        var rotated = Given.Events<Cluster>(Registered(Now.AddDays(3)),
            new ClusterCredentialExpiryWarned(Id, "prod", Now.AddDays(3), Now),
            new ClusterCredentialsRotated(Id, "prod", "https://prod", CredentialKind.BearerToken, Now.AddDays(5), Admin, Now));

        Assert.IsType<ClusterCredentialExpiryWarned>(rotated.WarnIfCredentialExpiring(TimeSpan.FromDays(7), Now).Single());
    }

    [Fact]
    public void the_renamed_expiry_warning_keeps_its_stored_name() =>
        Assert.Equal("cluster_credential_expiring", ClusterCredentialExpiryWarned.StoredName);
}
