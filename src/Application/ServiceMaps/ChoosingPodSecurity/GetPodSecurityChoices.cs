using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.ServiceMaps.ChoosingPodSecurity;

/// <summary>The Pod Security levels a form may offer for a service map of the workspace on the cluster (an existing one when named).</summary>
public sealed record GetPodSecurityChoices(Guid WorkspaceId, Guid ClusterId, Guid? ServiceMapId = null) : IRequest<PodSecurityChoices>;

/// <summary>Allowed levels loosest first, the one given when none is chosen, and the assignment's ceiling and the policies' floor.</summary>
public sealed record PodSecurityChoices(IReadOnlyList<PodSecurityLevel> Allowed, PodSecurityLevel Default, PodSecurityLevel Ceiling, PodSecurityLevel? Floor);

public static class GetPodSecurityChoicesHandler
{
    public static async Task<Result<PodSecurityChoices>> Handle(GetPodSecurityChoices query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        var bounds = await PodSecurityRules.BoundsAsync(session, query.WorkspaceId, query.ClusterId, query.ServiceMapId, ct);
        if (bounds is null) return Failure.NotFound("The workspace has no quota on that cluster.");
        return new PodSecurityChoices(bounds.Allowed, bounds.Default, bounds.Ceiling, bounds.Floor);
    }
}
