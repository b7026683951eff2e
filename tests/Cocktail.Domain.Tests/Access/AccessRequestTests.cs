using Cocktail.Domain.Access;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tests.Access;

public sealed class AccessRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Dana = new(Guid.NewGuid(), "dana");
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly TimeSpan Max = TimeSpan.FromDays(7);

    private static Decision Open(TimeSpan duration, AccessScope scope = AccessScope.Cluster, AccessRole role = AccessRole.View, string reason = "on call") =>
        AccessRequest.Open(Id, Dana.Id, Dana.Name, Guid.NewGuid(), "prod", scope, null, null, null, role, duration, Max, reason, Now);

    private static AccessRequested Requested() => Assert.IsType<AccessRequested>(Open(TimeSpan.FromHours(4)).Single());

    private static AccessRequest Pending() => Given.Events<AccessRequest>(Requested());

    [Fact]
    public void a_request_asks_for_some_time_within_the_limit_and_says_why()
    {
        Assert.Equal("duration", Open(TimeSpan.Zero).Refused().Field);
        Assert.Equal("duration", Open(Max + TimeSpan.FromHours(1)).Refused().Field);
        Assert.Equal("role", Open(TimeSpan.FromHours(1), AccessScope.ServiceMap, AccessRole.ClusterAdmin).Refused().Field);
        Assert.Equal("reason", Open(TimeSpan.FromHours(1), reason: "").Refused().Field);
    }

    [Fact]
    public void Given_a_pending_request_When_an_approver_approves_Then_the_approval_names_the_grant_it_creates()
    {
        var grantId = Guid.NewGuid();

        var e = Assert.IsType<AccessRequestApproved>(Pending().Approve(grantId, Admin, Now).Single());

        Assert.Equal(new AccessRequestApproved(Id, grantId, Dana.Id, Admin, Now), e);
    }

    [Fact]
    public void the_grant_lasts_what_was_asked_for_from_when_it_starts() =>
        Assert.Equal(Now.AddHours(5), Pending().GrantEndsAt(Now.AddHours(1)));

    [Fact]
    public void Given_a_pending_request_When_the_requester_approves_it_Then_it_is_forbidden()
    {
        var error = Pending().Approve(Guid.NewGuid(), Dana, Now).Refused();

        Assert.Equal((ErrorKind.Forbidden, "Nobody approves their own access request."), (error.Kind, error.Message));
    }

    [Fact]
    public void Given_a_decided_request_When_it_is_decided_again_Then_it_conflicts()
    {
        var approved = Given.Events<AccessRequest>(Requested(), new AccessRequestApproved(Id, Guid.NewGuid(), Dana.Id, Admin, Now));
        var rejected = Given.Events<AccessRequest>(Requested(), new AccessRequestRejected(Id, Dana.Id, "no", Admin, Now));

        Assert.Equal(AccessRequestState.Approved, approved.State);
        Assert.Equal(ErrorKind.Conflict, approved.Approve(Guid.NewGuid(), Admin, Now).Refused().Kind);
        Assert.Equal(ErrorKind.Conflict, approved.Reject("changed my mind", Admin, Now).Refused().Kind);
        Assert.Equal("The request is already rejected.", rejected.Approve(Guid.NewGuid(), Admin, Now).Refused().Message);
    }

    [Fact]
    public void a_rejection_says_why_and_records_who_rejected()
    {
        Assert.Equal("reason", Pending().Reject(" ", Admin, Now).Refused().Field);
        Assert.Equal(new AccessRequestRejected(Id, Dana.Id, "not on call", Admin, Now),
            Pending().Reject(" not on call ", Admin, Now).Single());
    }
}
