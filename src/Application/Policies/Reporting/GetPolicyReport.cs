using Cocktail.Application.Common;
using Cocktail.Application.ImageScanning.ListingExceptions;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Policies;
using Marten;

namespace Cocktail.Application.Policies.Reporting;

/// <summary>The workloads of a workspace that break today's policy (typically after it was tightened), and the vulnerability exceptions in force.</summary>
public sealed record GetPolicyReport(Guid WorkspaceId) : IRequest<PolicyReport>;

public sealed record PolicyReport(Guid WorkspaceId, DateTimeOffset At, int WorkloadsChecked, IReadOnlyList<PolicyReportEntry> Violating,
    IReadOnlyList<VulnerabilityExceptionItem> ActiveExceptions);

public sealed record PolicyReportEntry(
    Guid WorkloadId, string Name, string Kind, Guid ServiceMapId, string ServiceMap, string Namespace, IReadOnlyList<Violation> Violations);

public static class GetPolicyReportHandler
{
    public static async Task<Result<PolicyReport>> Handle(GetPolicyReport query, Actor actor, IQuerySession session, TimeProvider clock,
        CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        var maps = (await session.Query<ServiceMapView>().Where(m => m.WorkspaceId == query.WorkspaceId).ToListAsync(ct)).ToDictionary(m => m.Id);
        var workloads = await session.Query<WorkloadView>().Where(w => w.WorkspaceId == query.WorkspaceId).ToListAsync(ct);
        var policies = await PoliciesAsync(session, query.WorkspaceId, maps.Values, ct);
        var now = clock.GetUtcNow();
        // Exceptions are where the policy is knowingly not applied: the report names each, with its reason and end.
        var exceptions = await ListVulnerabilityExceptionsHandler.ForWorkspaceAsync(session, query.WorkspaceId, now, activeOnly: true, ct);
        return new PolicyReport(query.WorkspaceId, now, workloads.Count, Evaluate(workloads, maps, policies), exceptions);
    }

    /// <summary>The effective policy of each service map, read with two queries whatever the number of maps.</summary>
    public static async Task<IReadOnlyDictionary<Guid, SecurityPolicy>> PoliciesAsync(IQuerySession session, Guid workspaceId,
        IEnumerable<ServiceMapView> maps, CancellationToken ct)
    {
        var list = maps.ToList();
        var ids = list.Select(m => PolicyStream.StreamIdFor(m.Id)).Append(PolicyStream.StreamIdFor(workspaceId)).ToArray();
        var own = (await session.LoadManyAsync<SecurityPolicyView>(ct, ids)).ToDictionary(p => p.TargetId, p => p.Policy);
        var workspacePolicy = own.GetValueOrDefault(workspaceId) ?? SecurityPolicy.None;
        return list.ToDictionary(m => m.Id, m => SecurityPolicy.Effective(workspacePolicy, own.GetValueOrDefault(m.Id) ?? SecurityPolicy.None, m.PodSecurity));
    }

    public static IReadOnlyList<PolicyReportEntry> Evaluate(IEnumerable<WorkloadView> workloads, IReadOnlyDictionary<Guid, ServiceMapView> maps,
        IReadOnlyDictionary<Guid, SecurityPolicy> policies) =>
        workloads
            .Where(w => maps.ContainsKey(w.ServiceMapId))
            .Select(w => (Workload: w, Violations: PolicyEvaluator.Evaluate(w.Spec, policies[w.ServiceMapId], maps[w.ServiceMapId].DefaultLimits)))
            .Where(x => x.Violations.Count > 0)
            .OrderBy(x => x.Workload.Namespace, StringComparer.Ordinal).ThenBy(x => x.Workload.Name, StringComparer.Ordinal)
            .Select(x => new PolicyReportEntry(x.Workload.Id, x.Workload.Name, x.Workload.Kind.ToString(), x.Workload.ServiceMapId,
                maps[x.Workload.ServiceMapId].Name, x.Workload.Namespace, x.Violations))
            .ToList();
}
