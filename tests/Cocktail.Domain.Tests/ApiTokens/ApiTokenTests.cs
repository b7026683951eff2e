using Cocktail.Domain.ApiTokens;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tests.ApiTokens;

public sealed class ApiTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Owner = new(Guid.NewGuid(), "dana");
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly ApiTokenCreated Created = new(Id, Owner.Id, "dana", "ci", "ckt_abcd", Now.AddDays(30), Owner, Now);

    [Fact]
    public void a_token_must_expire_in_the_future()
    {
        var error = ApiToken.Issue(Id, Owner.Id, "dana", "ci", "ckt_abcd", Now, Owner, Now).Refused();
        Assert.Equal("expiresInDays", error.Field);
    }

    [Fact]
    public void the_owner_and_platform_admins_revoke_a_token_but_another_user_does_not_even_see_it()
    {
        var token = Given.Events<ApiToken>(Created);
        var stranger = new ActorRef(Guid.NewGuid(), "eve");

        Assert.IsType<ApiTokenRevoked>(token.Revoke(null, Owner, byPlatformAdmin: false, Now).Single());
        Assert.IsType<ApiTokenRevoked>(token.Revoke(null, stranger, byPlatformAdmin: true, Now).Single());
        Assert.Equal(ErrorKind.NotFound, token.Revoke(null, stranger, byPlatformAdmin: false, Now).Refused().Kind);
    }

    [Fact]
    public void revoking_a_revoked_token_changes_nothing()
    {
        var token = Given.Events<ApiToken>(Created, new ApiTokenRevoked(Id, Owner.Id, "ci", Owner, Now));

        Assert.Empty(token.Revoke(null, Owner, false, Now).Events);
    }
}
