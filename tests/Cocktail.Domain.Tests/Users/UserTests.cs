using Cocktail.Domain.Common;
using Cocktail.Domain.Users;

namespace Cocktail.Domain.Tests.Users;

public sealed class UserTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly UserRegistered Registered = new(Id, "dana", "Dana", PlatformRole.User, Admin, Now);

    [Fact]
    public void registering_records_who_registered_whom_and_when()
    {
        var e = Assert.IsType<UserRegistered>(User.Register(Id, "dana", " Dana ", PlatformRole.User, Admin, Now).Single());

        Assert.Equal(new UserRegistered(Id, "dana", "Dana", PlatformRole.User, Admin, Now), e);
    }

    [Theory]
    [InlineData("Dana")]
    [InlineData("-dana")]
    [InlineData("dana_1")]
    [InlineData("")]
    public void a_user_name_that_is_not_a_dns_label_is_refused_on_its_field(string userName)
    {
        var error = User.Register(Id, userName, "Dana", PlatformRole.User, Admin, Now).Refused();

        Assert.Equal(ErrorKind.Invalid, error.Kind);
        Assert.Equal("userName", error.Field);
    }

    [Fact]
    public void changing_the_role_records_both_roles()
    {
        var user = Given.Events<User>(Registered);

        var e = Assert.IsType<UserRoleChanged>(user.ChangeRole(PlatformRole.Auditor, Admin, Now).Single());

        Assert.Equal((PlatformRole.User, PlatformRole.Auditor, Admin), (e.From, e.To, e.ChangedBy));
    }

    [Fact]
    public void setting_the_same_role_again_changes_nothing()
    {
        var decision = Given.Events<User>(Registered).ChangeRole(PlatformRole.User, Admin, Now);

        Assert.Null(decision.Error);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void nobody_changes_their_own_role()
    {
        var self = new ActorRef(Id, "dana");

        Assert.Equal(ErrorKind.Forbidden, Given.Events<User>(Registered).ChangeRole(PlatformRole.PlatformAdmin, self, Now).Refused().Kind);
    }

    [Fact]
    public void a_deactivated_user_cannot_be_given_a_role_until_reactivated()
    {
        var user = Given.Events<User>(Registered, new UserDeactivated(Id, "dana", Admin, Now));

        Assert.Equal(ErrorKind.Conflict, user.ChangeRole(PlatformRole.Auditor, Admin, Now).Refused().Kind);
        var reactivated = Given.Events<User>(Registered, new UserDeactivated(Id, "dana", Admin, Now), new UserReactivated(Id, "dana", Admin, Now));
        Assert.IsType<UserRoleChanged>(reactivated.ChangeRole(PlatformRole.Auditor, Admin, Now).Single());
    }

    [Fact]
    public void deactivating_twice_records_it_once_and_nobody_deactivates_themself()
    {
        var user = Given.Events<User>(Registered);
        var deactivated = Given.Events<User>(Registered, new UserDeactivated(Id, "dana", Admin, Now));

        Assert.IsType<UserDeactivated>(user.Deactivate(Admin, Now).Single());
        Assert.Empty(deactivated.Deactivate(Admin, Now).Events);
        Assert.Equal(ErrorKind.Forbidden, user.Deactivate(new ActorRef(Id, "dana"), Now).Refused().Kind);
    }

    [Fact]
    public void a_lockout_records_the_failures_the_time_it_ends_and_the_address()
    {
        var until = Now.AddMinutes(15);

        var e = Assert.IsType<UserLockedOut>(Given.Events<User>(Registered).LockOut(5, until, "10.0.0.9", Now).Single());

        Assert.Equal((5, until, "10.0.0.9"), (e.FailedAttempts, e.LockedUntil, e.SourceIp));
    }

    [Fact]
    public void an_admin_unlocks_a_locked_user_and_the_event_says_who_and_when()
    {
        var locked = new UserLockedOut(Id, "dana", 5, Now.AddMinutes(15), "10.0.0.9", Now);

        var e = Assert.IsType<UserUnlocked>(Given.Events<User>(Registered, locked).Unlock(Admin, Now.AddMinutes(1)).Single());

        Assert.Equal(new UserUnlocked(Id, "dana", Admin, Now.AddMinutes(1)), e);
    }

    [Fact]
    public void unlocking_a_user_that_is_not_locked_changes_nothing()
    {
        var lockedEarlier = new UserLockedOut(Id, "dana", 5, Now.AddMinutes(15), "10.0.0.9", Now);
        var unlocked = new UserUnlocked(Id, "dana", Admin, Now.AddMinutes(1));

        Assert.Empty(Given.Events<User>(Registered).Unlock(Admin, Now).Events);
        Assert.Empty(Given.Events<User>(Registered, lockedEarlier).Unlock(Admin, Now.AddMinutes(16)).Events);
        Assert.Empty(Given.Events<User>(Registered, lockedEarlier, unlocked).Unlock(Admin, Now.AddMinutes(2)).Events);
    }
}
