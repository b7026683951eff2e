using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Tests.Tenancy;

public sealed class QuotaRequestTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Dev = new(Guid.NewGuid(), "dana");
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Id = Guid.NewGuid();

    private static QuotaRequest Pending() => Given.Events<QuotaRequest>(new QuotaRequested(Id, Guid.NewGuid(), "team-a", Guid.NewGuid(), "prod",
        null, null, new Quota("4"), new Quota("8"), "Black Friday", Dev, Now));

    [Fact]
    public void an_admin_approves_a_pending_request_granting_what_was_asked()
    {
        var approved = Assert.IsType<QuotaRequestApproved>(Pending().Approve(Admin, Now).Single());
        Assert.Equal(new Quota("8"), approved.Granted);
    }

    [Fact]
    public void nobody_approves_their_own_request() =>
        Assert.Equal(ErrorKind.Forbidden, Pending().Approve(Dev, Now).Refused().Kind);

    [Fact]
    public void a_decided_request_cannot_be_decided_again()
    {
        var approved = Given.Events<QuotaRequest>(new QuotaRequested(Id, Guid.NewGuid(), "team-a", Guid.NewGuid(), "prod", null, null,
            new Quota("4"), new Quota("8"), "why", Dev, Now), new QuotaRequestApproved(Id, Guid.Empty, Guid.Empty, null, new Quota("8"), Admin, Now));

        Assert.Equal(ErrorKind.Conflict, approved.Reject("too late", Admin, Now).Refused().Kind);
        Assert.Equal(ErrorKind.Conflict, approved.Approve(Admin, Now).Refused().Kind);
    }

    [Fact]
    public void a_rejection_needs_a_reason() =>
        Assert.Equal("reason", Pending().Reject(" ", Admin, Now).Refused().Field);

    [Fact]
    public void a_request_says_why_and_asks_for_something_new()
    {
        Assert.Equal("reason", QuotaRequest.Open(Id, Guid.NewGuid(), "w", Guid.NewGuid(), "c", null, null, new Quota("4"), new Quota("8"), "", Dev, Now).Refused().Field);
        Assert.Equal("quota", QuotaRequest.Open(Id, Guid.NewGuid(), "w", Guid.NewGuid(), "c", null, null, new Quota("4"), new Quota("4"), "why", Dev, Now).Refused().Field);
    }
}
