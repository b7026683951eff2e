using Cocktail.Domain.Access;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tests.Access;

public sealed class AccessGrantTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly ActorRef Dana = new(Guid.NewGuid(), "dana");
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);
    private static readonly TimeSpan TokenCap = TimeSpan.FromHours(4);
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly Guid ClusterId = Guid.NewGuid();

    private static Decision Grant(DateTimeOffset validFrom, DateTimeOffset validUntil, AccessScope scope = AccessScope.Cluster,
        AccessRole role = AccessRole.Edit, string reason = "incident 42") =>
        AccessGrant.Grant(Id, ClusterId, "prod", scope, scope == AccessScope.ServiceMap ? Guid.NewGuid() : null,
            scope == AccessScope.ServiceMap ? "team-a-shop" : null, null, Dana.Id, Dana.Name, role, validFrom, validUntil, reason,
            MaxDuration, null, Admin, Now);

    private static ClusterAccessGranted Granted(DateTimeOffset validFrom, DateTimeOffset validUntil) =>
        Assert.IsType<ClusterAccessGranted>(Grant(validFrom, validUntil).Single());

    /// <summary>A grant valid for the next eight hours, set up on its cluster.</summary>
    private static AccessGrant Active() =>
        Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)), new AccessGrantActivated(Id, ClusterId, Dana.Id, "sa", Now));

    [Fact]
    public void granting_records_the_window_the_service_account_and_who_granted_it()
    {
        var e = Granted(Now.AddHours(1), Now.AddHours(9));

        Assert.Equal((Now.AddHours(1), Now.AddHours(9)), (e.ValidFrom, e.ValidUntil));
        Assert.Equal(AccessGrant.ServiceAccountFor(Id), e.ServiceAccount);
        Assert.Equal((Admin, Now), (e.GrantedBy, e.GrantedAt));
    }

    [Fact]
    public void a_window_that_ends_before_it_starts_or_in_the_past_is_refused_on_valid_until()
    {
        Assert.Equal("validUntil", Grant(Now.AddHours(2), Now.AddHours(1)).Refused().Field);
        Assert.Equal("validUntil", Grant(Now.AddHours(-3), Now.AddHours(-1)).Refused().Field);
    }

    [Fact]
    public void a_window_longer_than_the_platform_allows_is_refused()
    {
        var error = Grant(Now, Now + MaxDuration + TimeSpan.FromMinutes(1)).Refused();

        Assert.Equal(("validUntil", "A grant lasts at most 7 days."), (error.Field, error.Message));
    }

    [Fact]
    public void cluster_admin_is_not_given_inside_a_service_map() =>
        Assert.Equal("role", Grant(Now, Now.AddHours(1), AccessScope.ServiceMap, AccessRole.ClusterAdmin).Refused().Field);

    [Fact]
    public void a_grant_says_why() =>
        Assert.Equal("reason", Grant(Now, Now.AddHours(1), reason: " ").Refused().Field);

    [Fact]
    public void Given_a_grant_for_later_When_activation_is_asked_before_valid_from_Then_nothing_is_set_up()
    {
        var scheduled = Given.Events<AccessGrant>(Granted(Now.AddHours(1), Now.AddHours(2)));

        Assert.Equal(GrantState.Scheduled, scheduled.StateAt(Now));
        Assert.False(scheduled.ActivationDue(Now));
        Assert.Empty(scheduled.RecordActivation(GrantApplyResult.Applied, null, Now).Events);
        Assert.True(scheduled.ActivationDue(Now.AddHours(1)));
    }

    [Fact]
    public void Given_a_grant_in_its_window_When_the_cluster_applied_it_Then_it_is_activated_once()
    {
        var grant = Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)));

        var e = Assert.IsType<AccessGrantActivated>(grant.RecordActivation(GrantApplyResult.Applied, null, Now).Single());
        Assert.Equal(grant.ServiceAccount, e.ServiceAccount);
        Assert.Empty(Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)), e).RecordActivation(GrantApplyResult.Applied, null, Now).Events);
    }

    [Fact]
    public void Given_a_cluster_that_keeps_refusing_the_same_way_When_activation_is_retried_Then_the_refusal_is_recorded_once()
    {
        var grant = Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)));
        var failed = Assert.IsType<AccessGrantActivationFailed>(grant.RecordActivation(GrantApplyResult.Refused, "forbidden", Now).Single());
        var refused = Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)), failed);

        Assert.Empty(refused.RecordActivation(GrantApplyResult.Refused, "forbidden", Now.AddSeconds(30)).Events);
        Assert.Equal("quota exceeded", Assert.IsType<AccessGrantActivationFailed>(
            refused.RecordActivation(GrantApplyResult.Refused, "quota exceeded", Now.AddSeconds(60)).Single()).Error);
    }

    [Fact]
    public void Given_an_unreachable_cluster_When_activation_is_tried_Then_nothing_is_recorded() =>
        Assert.Empty(Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)))
            .RecordActivation(GrantApplyResult.Unreachable, "timeout", Now).Events);

    [Fact]
    public void Given_an_active_grant_When_it_is_revoked_Then_it_must_come_off_the_cluster_and_the_removal_says_why()
    {
        var revoked = Active().Revoke("left the team", Admin, Now.AddHours(1));
        var e = Assert.IsType<AccessGrantRevoked>(revoked.Single());
        var grant = Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)), new AccessGrantActivated(Id, ClusterId, Dana.Id, "sa", Now), e);

        Assert.True(grant.RemovalDue(Now.AddHours(1)));
        Assert.False(grant.ActivationDue(Now.AddHours(1)));
        Assert.Empty(grant.RecordRemoval(GrantApplyResult.Unreachable, Now.AddHours(1)).Events);
        var removed = Assert.IsType<AccessGrantRemovedFromCluster>(grant.RecordRemoval(GrantApplyResult.Applied, Now.AddHours(1)).Single());
        Assert.Equal("revoked", removed.Reason);
    }

    [Fact]
    public void revocation_is_final_and_an_expired_grant_is_not_revoked()
    {
        var revoked = Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)), new AccessGrantRevoked(Id, ClusterId, Dana.Id, "dana", "done", Admin, Now));

        Assert.Empty(revoked.Revoke("again", Admin, Now).Events);
        Assert.Equal(ErrorKind.Conflict, Active().Revoke("late", Admin, Now.AddHours(8)).Refused().Kind);
    }

    [Fact]
    public void Given_a_grant_at_its_end_When_it_expires_Then_the_removal_from_the_cluster_says_it_expired()
    {
        var expired = Assert.IsType<AccessGrantExpired>(Active().Expire(Now.AddHours(8)).Single());
        var grant = Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)), new AccessGrantActivated(Id, ClusterId, Dana.Id, "sa", Now), expired);

        Assert.Empty(Active().Expire(Now.AddHours(7)).Events);
        Assert.Equal("expired", Assert.IsType<AccessGrantRemovedFromCluster>(grant.RecordRemoval(GrantApplyResult.Applied, Now.AddHours(8)).Single()).Reason);
    }

    [Fact]
    public void a_token_lives_no_longer_than_the_cap()
    {
        var (lifetime, error) = Active().TokenLifetime(TokenCap, Now.AddMinutes(5));

        Assert.Null(error);
        Assert.Equal(TokenCap, lifetime);
    }

    [Fact]
    public void a_token_lives_no_longer_than_the_grant()
    {
        var (lifetime, _) = Active().TokenLifetime(TokenCap, Now.AddHours(7));

        Assert.Equal(TimeSpan.FromHours(1), lifetime);
    }

    [Fact]
    public void a_grant_ending_in_less_than_ten_minutes_gets_no_token_since_kubernetes_refuses_shorter_ones()
    {
        var (lifetime, error) = Active().TokenLifetime(TokenCap, Now.AddHours(8).AddMinutes(-9));

        Assert.Null(lifetime);
        Assert.Equal(ErrorKind.Conflict, error!.Kind);
    }

    [Fact]
    public void no_token_before_the_grant_is_on_its_cluster_nor_after_it_ends()
    {
        var activating = Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)));
        var scheduled = Given.Events<AccessGrant>(Granted(Now.AddHours(1), Now.AddHours(8)));

        Assert.Equal(ErrorKind.Conflict, activating.TokenLifetime(TokenCap, Now).Error!.Kind);
        Assert.Equal(ErrorKind.Conflict, scheduled.TokenLifetime(TokenCap, Now).Error!.Kind);
        Assert.Equal(ErrorKind.Conflict, Active().TokenLifetime(TokenCap, Now.AddHours(8)).Error!.Kind);
    }

    [Fact]
    public void the_expiry_warning_comes_once_within_the_warning_time()
    {
        var grant = Active();
        var warned = Assert.IsType<AccessGrantExpiryWarned>(grant.WarnOfExpiry(TimeSpan.FromHours(1), Now.AddHours(7.5)).Single());

        Assert.Empty(grant.WarnOfExpiry(TimeSpan.FromHours(1), Now.AddHours(6)).Events);
        Assert.Empty(Given.Events<AccessGrant>(Granted(Now, Now.AddHours(8)), warned).WarnOfExpiry(TimeSpan.FromHours(1), Now.AddHours(7.6)).Events);
    }
}
