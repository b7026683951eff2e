using System.Text;
using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;

namespace Cocktail.Application.Registries;

/// <summary>A robot's credentials as issued: the password is in the clear only here, once.</summary>
public sealed record IssuedRobot(Guid RobotId, Guid WorkspaceId, string UserName, [property: Secret] string Password, DateTimeOffset ValidUntil)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>
/// Robot accounts made by Cocktail itself (a service map's pull secret, a build's push credential), through the same
/// decisions and events as robots a person makes.
/// </summary>
public interface IRobotAccounts
{
    Task<IssuedRobot> IssueAsync(Guid workspaceId, string name, RobotPermission permission, DateTimeOffset validUntil,
        ActorRef by, string purpose, CancellationToken ct);

    Task RevokeAsync(Guid robotId, ActorRef by, string reason, CancellationToken ct);
}
