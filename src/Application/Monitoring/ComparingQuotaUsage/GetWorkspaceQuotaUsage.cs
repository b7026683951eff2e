using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using Marten;

namespace Cocktail.Application.Monitoring.ComparingQuotaUsage;

/// <summary>A workspace's use of each quota (CPU, memory, GPU, storage, pods) on each of its clusters.</summary>
public sealed record GetWorkspaceQuotaUsage(Guid WorkspaceId) : IRequest<IReadOnlyList<ClusterQuotaUsage>>;

/// <summary>
/// One resource: the workspace's quota on the cluster, what its service maps were given of it, and what they use now as
/// the cluster's ResourceQuotas count it (requests, and pods). Amounts are Kubernetes quantities; <c>Percent</c> is of the quota.
/// </summary>
public sealed record QuotaUse(string Resource, string Quota, string Allocated, string? Used, double? Percent);

/// <summary>Null <c>Used</c> figures and a <c>Problem</c> when the cluster did not answer.</summary>
public sealed record ClusterQuotaUsage(Guid ClusterId, string ClusterName, IReadOnlyList<QuotaUse> Resources, string? Problem);

public static class GetWorkspaceQuotaUsageHandler
{
    public static async Task<Result<IReadOnlyList<ClusterQuotaUsage>>> Handle(GetWorkspaceQuotaUsage query, Actor actor, IQuerySession session,
        IServiceMapApplier clusters, ICredentialVault vault, CancellationToken ct)
    {
        var loaded = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (loaded.Failure is { } failure) return failure;
        var answers = new List<ClusterQuotaUsage>();
        foreach (var assignment in loaded.Value!.Clusters.OrderBy(c => c.ClusterName, StringComparer.Ordinal))
        {
            var namespaces = await MetricsTargets.NamespacesAsync(session, query.WorkspaceId, assignment.ClusterId, ct);
            var (used, problem) = await UsedAsync(assignment.ClusterId, assignment.ClusterName, namespaces, session, clusters, vault, ct);
            var allocated = assignment.Allocated();
            var resources = Quota.Resources.Select(r => Use(r, assignment.Quota.Amount(r), allocated[r], used?[r])).ToList();
            answers.Add(new ClusterQuotaUsage(assignment.ClusterId, assignment.ClusterName, resources, problem));
        }
        return answers;
    }

    private static QuotaUse Use(string resource, Quantity quota, Quantity allocated, Quantity? used) => new(resource,
        QuotaTotals.Format(resource, quota), QuotaTotals.Format(resource, allocated), used is { } u ? QuotaTotals.Format(resource, u) : null,
        used is { } v && quota.Value > 0 ? Math.Round((double)(100 * v.Value / quota.Value), 1) : null);

    /// <summary>
    /// What the cluster counts as used in the workspace's namespaces (each service map's ResourceQuota, read as its
    /// service map page reads it), summed over them.
    /// </summary>
    private static async Task<(QuotaTotals? Used, string? Problem)> UsedAsync(Guid clusterId, string clusterName, IReadOnlyList<string> namespaces,
        IQuerySession session, IServiceMapApplier clusters, ICredentialVault vault, CancellationToken ct)
    {
        var totals = Quota.Resources.ToDictionary(r => r, _ => Quantity.Zero);
        if (namespaces.Count == 0) return (new QuotaTotals(totals), null);
        var credential = await session.LoadAsync<ClusterCredential>(clusterId, ct);
        if (credential is null) return (null, $"{clusterName} is no longer registered.");
        var connection = vault.Unprotect(credential.Protected);
        var statuses = await Task.WhenAll(namespaces.Select(ns => clusters.ReadQuotaUsageAsync(connection, ns, ct)));
        if (statuses.Any(s => s is null)) return (null, $"{clusterName} does not answer, or a service map's quota is not there yet.");
        foreach (var status in statuses)
            foreach (var resource in Quota.Resources)
                if (status!.Used.TryGetValue(ResourceQuotaKeys.For(resource), out var text) && Quantity.TryParse(text, out var amount))
                    totals[resource] += amount;
        return (new QuotaTotals(totals), null);
    }
}
