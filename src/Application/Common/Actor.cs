using Cocktail.Domain.Common;
using Cocktail.Domain.Users;

namespace Cocktail.Application.Common;

/// <summary>The signed-in user a command or query runs for, resolved fresh for every call.</summary>
public sealed record Actor(Guid UserId, string UserName, PlatformRole Role, string? SourceIp = null, string? UserAgent = null)
{
    public static readonly Actor System = new(Guid.Empty, "system", PlatformRole.PlatformAdmin);

    public ActorRef Ref => new(UserId, UserName);
    public bool IsSystem => UserId == Guid.Empty;
    public bool IsPlatformAdmin => Role == PlatformRole.PlatformAdmin;

    /// <summary>Admins and auditors see everything; auditors change nothing.</summary>
    public bool CanReadEverything => Role is PlatformRole.PlatformAdmin or PlatformRole.Auditor;
}
