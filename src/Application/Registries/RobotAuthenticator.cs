using Cocktail.Application.Registries.Robots;
using Marten;

namespace Cocktail.Application.Registries;

/// <summary>
/// Turns a robot's user name and secret into its subject, or null when unknown, expired or revoked: two key lookups,
/// no events, and expiry checked against the clock each time so that it never waits for the sweep.
/// </summary>
public sealed class RobotAuthenticator(IQuerySession session, TimeProvider clock)
{
    public async Task<RegistrySubject?> AuthenticateAsync(string userName, string secret, CancellationToken ct)
    {
        if (!RobotSecrets.LooksLikeSecret(secret)) return null;
        var lookup = await session.LoadAsync<RobotSecret>(RobotSecrets.Hash(secret), ct);
        if (lookup is null) return null;
        var robot = await session.LoadAsync<RobotAccountView>(lookup.RobotId, ct);
        if (robot is null || !robot.IsUsableAt(clock.GetUtcNow()) || !string.Equals(robot.UserName, userName, StringComparison.Ordinal))
            return null;
        return RegistrySubject.Robot(robot.Id, robot.UserName, robot.WorkspaceId, robot.Permission);
    }
}
