using Cocktail.Application.Common;
using Marten;

namespace Cocktail.Application.AccessGrants;

/// <summary>Who decides an access request: whoever could grant that access directly.</summary>
internal static class AccessRequestDeciders
{
    public static async Task<bool> CanDecideAsync(Actor actor, AccessRequestView request, IQuerySession session, CancellationToken ct) =>
        await AccessGrantAccess.CanGrantAsync(actor, request.Scope, request.WorkspaceId, session, ct);
}
