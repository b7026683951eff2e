using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;

namespace Cocktail.Domain.Tests.Registries;

public sealed class RobotAccountTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    static readonly ActorRef Alice = new(Guid.CreateVersion7(), "alice");
    static readonly Guid Workspace = Guid.CreateVersion7();

    static RobotAccount Made(DateTimeOffset validUntil)
    {
        var created = (RobotAccountCreated)RobotAccount.Create(Guid.CreateVersion7(), Workspace, "shop", "ci", RobotPermission.PushPull,
            validUntil, TimeSpan.FromDays(90), "pipeline", Alice, Now).Events.Single();
        return RobotAccount.Create(created);
    }

    [Fact]
    public void a_robot_is_named_after_its_workspace_and_lives_at_most_the_maximum()
    {
        var decision = RobotAccount.Create(Guid.CreateVersion7(), Workspace, "shop", "ci", RobotPermission.Pull, Now.AddDays(30),
            TimeSpan.FromDays(90), null, Alice, Now);
        Assert.Equal("robot$shop+ci", ((RobotAccountCreated)decision.Events.Single()).UserName);

        var tooLong = RobotAccount.Create(Guid.CreateVersion7(), Workspace, "shop", "ci", RobotPermission.Pull, Now.AddDays(91),
            TimeSpan.FromDays(90), null, Alice, Now);
        Assert.Equal(("validUntil", ErrorKind.Invalid), (tooLong.Error!.Field, tooLong.Error.Kind));
        Assert.Equal("validUntil", RobotAccount.Create(Guid.CreateVersion7(), Workspace, "shop", "ci", RobotPermission.Pull, Now,
            TimeSpan.FromDays(90), null, Alice, Now).Error!.Field);
        Assert.Equal("name", RobotAccount.Create(Guid.CreateVersion7(), Workspace, "shop", "CI+x", RobotPermission.Pull, Now.AddDays(1),
            TimeSpan.FromDays(90), null, Alice, Now).Error!.Field);
    }

    [Fact]
    public void a_robot_expires_only_once_its_validity_passed_and_an_ended_robot_is_neither_revoked_nor_expired_again()
    {
        var robot = Made(Now.AddHours(1));
        Assert.Empty(robot.Expire(Now.AddMinutes(59)).Events);
        var expired = robot.Apply((RobotAccountExpired)robot.Expire(Now.AddHours(1)).Events.Single());
        Assert.False(expired.IsUsableAt(Now));
        Assert.Empty(expired.Revoke("late", Alice, Now.AddHours(2)).Events);
        Assert.Empty(expired.Expire(Now.AddHours(2)).Events);

        var revoked = robot.Apply((RobotAccountRevoked)robot.Revoke("leaked", Alice, Now).Events.Single());
        Assert.False(revoked.IsUsableAt(Now));
        Assert.Empty(revoked.Revoke("again", Alice, Now).Events);
        Assert.Empty(revoked.Expire(Now.AddHours(2)).Events);
    }
}
