using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Monitoring.PromQl;
using Marten;

namespace Cocktail.Application.Alerts.Rules;

/// <summary>
/// A custom rule's expression as it is saved and evaluated: a workspace's confined to its service maps' namespaces
/// (refused with the reason when it cannot be), a platform rule's only checked to parse.
/// </summary>
public static class RuleExpressions
{
    /// <summary>Stands in for the namespaces of a workspace without service maps yet, so its rule is still checked.</summary>
    private const string NoNamespaceYet = "cocktail-no-service-map";

    public static async Task<Failure?> CheckAsync(IQuerySession session, Guid? workspaceId, string expression, CancellationToken ct)
    {
        if (workspaceId is null) return Refusal(PromQlConfinement.Check(expression));
        var namespaces = await session.Query<ServiceMapView>().Where(m => m.WorkspaceId == workspaceId.Value).Select(m => m.Namespace).ToListAsync(ct);
        return Refusal(PromQlConfinement.Confine(expression, namespaces.Count > 0 ? namespaces.Distinct().ToList() : [NoNamespaceYet]));
    }

    public static ConfinedQuery ForCluster(Guid? workspaceId, string expression, IReadOnlyCollection<string> namespaces) =>
        workspaceId is null ? PromQlConfinement.Check(expression) : PromQlConfinement.Confine(expression, namespaces);

    private static Failure? Refusal(ConfinedQuery confined) =>
        confined.Succeeded ? null : Failure.Invalid(confined.Error!, "expression");
}
