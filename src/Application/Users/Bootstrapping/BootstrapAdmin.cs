using System.Text;
using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users.Bootstrapping;

/// <summary>
/// Creates the first platform admin when there are no users at all. The id is fixed so that two replicas starting
/// together cannot both create one: the second stream start fails and is ignored.
/// </summary>
[Writes]
public sealed record BootstrapAdmin([property: Secret] string Password) : IRequest<BootstrapOutcome>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed record BootstrapOutcome(bool Created, string UserName);

public static class BootstrapAdminHandler
{
    public const string AdminUserName = "admin";
    public static readonly Guid AdminId = new("00000000-0000-7000-8000-00000000ad01");

    public static async Task<Result<BootstrapOutcome>> Handle(
        BootstrapAdmin command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (await session.Query<UserView>().AnyAsync(ct)) return new BootstrapOutcome(false, AdminUserName);

        var decision = User.Register(AdminId, AdminUserName, "Platform admin", PlatformRole.PlatformAdmin, ActorRef.System, clock.GetUtcNow());
        session.Events.StartStream<User>(AdminId, decision.Events.ToArray());
        session.Store(new UserCredential { Id = AdminId, PasswordHash = Passwords.Hash(command.Password) });
        return new BootstrapOutcome(true, AdminUserName);
    }
}
