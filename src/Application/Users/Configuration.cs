using Cocktail.Domain.Users;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Users;

public static class Configuration
{
    public static void AddUsers(this StoreOptions options)
    {
        options.Projections.Snapshot<UserView>(SnapshotLifecycle.Inline);
        options.Schema.For<UserView>().UniqueIndex(u => u.UserName);
        options.Schema.For<UserCredential>();
        options.Events.AddEventTypes([
            typeof(UserRegistered), typeof(UserRoleChanged), typeof(UserDisplayNameChanged), typeof(UserDeactivated),
            typeof(UserReactivated), typeof(PasswordChanged), typeof(UserLockedOut),
            typeof(UserUnlocked),
        ]);
    }
}
