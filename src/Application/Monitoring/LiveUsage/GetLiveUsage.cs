using System.Text.RegularExpressions;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Clusters.ViewingObjects;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring.Charts;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Monitoring.LiveUsage;

/// <summary>
/// CPU and memory in use now, from metrics.k8s.io: a cluster's nodes, a node's pods, or the pods of a workspace (on
/// <c>ClusterId</c>), a service map or a workload.
/// </summary>
public sealed record GetLiveUsage(MetricsScope Scope, Guid Id, string? Node = null, Guid? ClusterId = null) : IRequest<LiveUsageFigures>;

/// <summary>One node or pod and what it uses now.</summary>
public sealed record LiveUsageItem(string Kind, string? Namespace, string Name, long CpuMillis, long MemoryBytes);

/// <summary>The total, and each node (cluster scope) or pod (every other scope), largest CPU first.</summary>
public sealed record LiveUsageFigures(MetricsScope Scope, Guid ClusterId, string Subject, DateTimeOffset? At, long CpuMillis, long MemoryBytes,
    IReadOnlyList<LiveUsageItem> Items);

public sealed class GetLiveUsageValidator : AbstractValidator<GetLiveUsage>
{
    public GetLiveUsageValidator()
    {
        RuleFor(x => x.Scope).IsInEnum();
        When(x => x.Scope == MetricsScope.Node, () =>
            RuleFor(x => x.Node).NotEmpty().WithMessage("Name the node.")
                .MaximumLength(253).Matches(ObjectNames.Name).WithMessage("Not a node name."));
    }
}

public static class GetLiveUsageHandler
{
    public static async Task<Result<LiveUsageFigures>> Handle(GetLiveUsage query, Actor actor, IQuerySession session, IInventoryReader inventory,
        ILiveMetrics metrics, ICredentialVault vault, CancellationToken ct)
    {
        var resolved = await MetricsTargets.ResolveAsync(actor, query.Scope, query.Id, query.Node, query.ClusterId, session, ct);
        if (resolved.Failure is { } failure) return failure;
        var (clusterId, clusterName, subject, target) = resolved.Value!;
        var empty = new LiveUsageFigures(query.Scope, clusterId, subject, null, 0, 0, []);
        if (target.SeesNothing) return empty;
        var credential = await session.LoadAsync<ClusterCredential>(clusterId, ct);
        if (credential is null) return Failure.NotFound("No such cluster.");
        var connection = vault.Unprotect(credential.Protected);

        if (query.Scope == MetricsScope.Cluster)
        {
            var nodes = await metrics.NodesAsync(connection, ct);
            if (Refusal(nodes, clusterName) is { } refused) return refused;
            var items = nodes.Value!.Select(n => new LiveUsageItem("Node", null, n.Name, n.CpuMillis, n.MemoryBytes)).ToList();
            return Figures(empty, items, nodes.Value!.Select(n => n.At).Max());
        }

        var pods = await metrics.PodsAsync(connection, target.Namespaces, ct);
        if (Refusal(pods, clusterName) is { } podsRefused) return podsRefused;
        var chosen = pods.Value!.AsEnumerable();
        if (target.PodPattern is { } pattern)
        {
            var names = new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            chosen = chosen.Where(p => names.IsMatch(p.Name));
        }
        if (target.Node is { } node)
        {
            var onNode = await inventory.ListAsync<PodInfo>(clusterId, [InventoryKind.Pod], new InventoryFilter(Node: node, Namespaces: target.Namespaces),
                1, Paging.MaxPageSize, ct);
            var keys = onNode.Items.Select(p => (p.Namespace, p.Name)).ToHashSet();
            chosen = chosen.Where(p => keys.Contains((p.Namespace, p.Name)));
        }
        var list = chosen.ToList();
        return Figures(empty, list.Select(p => new LiveUsageItem("Pod", p.Namespace, p.Name, p.CpuMillis, p.MemoryBytes)).ToList(), list.Select(p => p.At).Max());
    }

    private static LiveUsageFigures Figures(LiveUsageFigures empty, IReadOnlyList<LiveUsageItem> items, DateTimeOffset? at) => empty with
    {
        At = at, CpuMillis = items.Sum(i => i.CpuMillis), MemoryBytes = items.Sum(i => i.MemoryBytes),
        Items = items.OrderByDescending(i => i.CpuMillis).ThenBy(i => i.Namespace, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal).ToList(),
    };

    /// <summary>metrics-server missing is 409 with what to install; the cluster not answering 503; refusing 403.</summary>
    internal static Failure? Refusal<T>(LiveAnswer<T> answer, string clusterName) => answer.Problem switch
    {
        LiveMetricsProblem.None => null,
        LiveMetricsProblem.NotServed => Failure.Conflict($"{clusterName} does not serve metrics.k8s.io; install metrics-server for live figures."),
        LiveMetricsProblem.Unreachable => new Failure(FailureKind.Unavailable, $"{clusterName} does not answer: {answer.Message}"),
        _ => Failure.Forbidden($"{clusterName} refused to give its metrics: {answer.Message}"),
    };
}
