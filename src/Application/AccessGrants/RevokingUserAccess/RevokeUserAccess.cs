using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Access;
using Cocktail.Domain.Common;
using Marten;
using Cocktail.Application.AccessGrants.RemovingFromCluster;
using Wolverine.Attributes;

namespace Cocktail.Application.AccessGrants.RevokingUserAccess;

/// <summary>
/// A user was deactivated: every grant of theirs that is not over yet is revoked (by the admin who deactivated,
/// with the reason "user deactivated") and taken off its cluster, and the RoleBindings of their workspaces'
/// service maps are applied again without them. Sent through the durable outbox in the deactivation's own
/// transaction, so a crash in between loses nothing.
/// </summary>
[MessageIdentity("Cocktail.Application.AccessGrants.Revoking.RevokeUserAccess")]
public sealed record RevokeUserAccess(Guid UserId, string Reason, ActorRef By, DateTimeOffset At)
{
    public const string Deactivated = "user deactivated";
}

/// <summary>
/// A member left a workspace: the grants into that workspace's service maps go with the membership (a workspace
/// admin gave them for work in the workspace); cluster-wide grants are a platform admin's and stay.
/// </summary>
[MessageIdentity("Cocktail.Application.AccessGrants.Revoking.RevokeMembershipAccess")]
public sealed record RevokeMembershipAccess(Guid WorkspaceId, string WorkspaceName, Guid UserId, ActorRef By, DateTimeOffset At)
{
    public string Reason => $"removed from workspace {WorkspaceName}";
}

/// <summary>A user came back or left: the RoleBindings of every service map of their workspaces are applied again.</summary>
[MessageIdentity("Cocktail.Application.AccessGrants.Revoking.ReconcileUserWorkspaces")]
public sealed record ReconcileUserWorkspaces(Guid UserId);

public static class RevokeUserAccessHandler
{
    public static async Task<IEnumerable<object>> Handle(RevokeUserAccess command, IDocumentSession session, CancellationToken ct)
    {
        var grants = await session.Query<AccessGrantView>()
            .Where(g => g.UserId == command.UserId && g.RevokedAt == null && g.ExpiredAt == null)
            .Select(g => g.Id).ToListAsync(ct);
        var work = await GrantRevocations.RevokeAsync(session, grants, command.Reason, command.By, command.At, ct);
        return work.Append(new ReconcileUserWorkspaces(command.UserId));
    }
}

public static class RevokeMembershipAccessHandler
{
    public static async Task<IEnumerable<object>> Handle(RevokeMembershipAccess command, IDocumentSession session, CancellationToken ct)
    {
        var grants = await session.Query<AccessGrantView>()
            .Where(g => g.UserId == command.UserId && g.WorkspaceId == command.WorkspaceId && g.Scope == AccessScope.ServiceMap &&
                        g.RevokedAt == null && g.ExpiredAt == null)
            .Select(g => g.Id).ToListAsync(ct);
        return await GrantRevocations.RevokeAsync(session, grants, command.Reason, command.By, command.At, ct);
    }
}

public static class ReconcileUserWorkspacesHandler
{
    public static async Task<IEnumerable<ReconcileWorkspaceServiceMaps>> Handle(ReconcileUserWorkspaces command, IQuerySession session, CancellationToken ct) =>
        (await TenancyAccess.MembershipsAsync(session, command.UserId, ct)).Select(w => new ReconcileWorkspaceServiceMaps(w.Id));
}

internal static class GrantRevocations
{
    /// <summary>Revokes each grant (the aggregate decides: an expired one stays expired) and asks for its removal from the cluster.</summary>
    public static async Task<List<object>> RevokeAsync(IDocumentSession session, IReadOnlyList<Guid> grantIds, string reason, ActorRef by,
        DateTimeOffset at, CancellationToken ct)
    {
        var work = new List<object>();
        foreach (var id in grantIds)
        {
            var stream = await session.Events.FetchForWriting<AccessGrant>(id, ct);
            if (stream.Aggregate is not { } grant) continue;
            var revoked = grant.Revoke(reason, by, at);
            if (revoked.Error is not null) continue;
            stream.AppendMany(revoked.Events.ToArray());
            if (revoked.Events.Count > 0 || grant.OnCluster) work.Add(new RemoveAccessGrant(id));
        }
        return work;
    }
}
