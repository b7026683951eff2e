using Cocktail.Application.Alerts.Rules;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Monitoring;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Monitoring;

namespace Cocktail.Application.Alerts.Evaluating;

/// <summary>A rule as it applies now (tuned or by default), in its scope.</summary>
public sealed record EffectiveRule(Guid Id, Guid? WorkspaceId, AlertRuleDefinition Definition);

/// <summary>What a rule saw: the conditions holding, and the clusters it could not look at (their alerts stay as they are).</summary>
public sealed record RuleOutcome(IReadOnlyList<AlertCondition> Conditions, IReadOnlySet<Guid> UnknownClusters);

/// <summary>
/// Turns a rule into the conditions holding now. Built-ins that Cocktail knows from its own state (health,
/// inventory, grants, quotas) need no Prometheus; volumes and custom rules ask the cluster's Prometheus, a
/// workspace's query confined to its service maps' namespaces on that cluster.
/// </summary>
public sealed class RuleConditions(EvaluationWorld world, IClusterPrometheus prometheus, DateTimeOffset now)
{
    public async Task<RuleOutcome> EvaluateAsync(EffectiveRule rule, CancellationToken ct)
    {
        var found = new List<AlertCondition>();
        var unknown = new HashSet<Guid>();
        switch (rule.Definition.BuiltIn)
        {
            case BuiltInRule.ClusterUnreachable:
                foreach (var c in world.ClustersOf(rule.WorkspaceId).Where(c => c.Health == ClusterHealth.Unreachable))
                    found.Add(Condition(rule, c.Id, null, Labels(c.Name), $"Cluster {c.Name} is unreachable: {c.HealthDetail}", null));
                break;
            case BuiltInRule.NodeNotReady:
                foreach (var c in Reachable(rule, unknown))
                    foreach (var node in (await world.ListAsync<NodeInfo>(c.Id, InventoryKind.Node, ct)).Where(n => !n.Ready))
                        found.Add(Condition(rule, c.Id, null, Labels(c.Name, ("node", node.Name)), $"Node {node.Name} on {c.Name} is not ready.", null));
                break;
            case BuiltInRule.PodRestarting:
                foreach (var (c, ns, map) in WorkspaceNamespaces(rule, unknown))
                    foreach (var pod in (await world.ListAsync<PodInfo>(c.Id, InventoryKind.Pod, ct)).Where(p => p.Namespace == ns && CrashLooping(p, rule.Definition.Threshold)))
                        found.Add(Condition(rule, c.Id, map, Labels(c.Name, ("namespace", ns), ("pod", pod.Name)),
                            $"Pod {pod.Name} in {ns} is crash-looping ({pod.Restarts} restarts).", pod.Restarts));
                break;
            case BuiltInRule.WorkloadUnavailable:
                foreach (var (c, ns, map) in WorkspaceNamespaces(rule, unknown))
                    foreach (var kind in new[] { InventoryKind.Deployment, InventoryKind.StatefulSet })
                        foreach (var w in (await world.ListAsync<WorkloadInfo>(c.Id, kind, ct)).Where(w => w.Namespace == ns && w.Desired > 0 && w.Available == 0))
                            found.Add(Condition(rule, c.Id, map, Labels(c.Name, ("namespace", ns), ("workload", w.Name)),
                                $"{w.Kind} {w.Name} in {ns} has none of its {w.Desired} replicas available.", w.Available));
                break;
            case BuiltInRule.QuotaNearlyUsed:
                foreach (var (c, ns, map) in WorkspaceNamespaces(rule, unknown))
                    found.AddRange(QuotaConditions(rule, c.Name, c.Id, ns, map, await world.ListAsync<PodInfo>(c.Id, InventoryKind.Pod, ct)));
                break;
            case BuiltInRule.PvcNearlyFull:
                var threshold = rule.Definition.Threshold ?? 90;
                await QueryAsync(rule, $"100 * kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > {threshold}", found, unknown,
                    (labels, value) => $"Volume {labels.GetValueOrDefault("persistentvolumeclaim")} in {labels.GetValueOrDefault("namespace")} is {SummaryTemplate.Format(value)} % full.", ct);
                break;
            case BuiltInRule.ClusterCredentialExpiring:
                foreach (var c in world.ClustersOf(rule.WorkspaceId).Where(c => c.CredentialExpiresAt is { } end && end - now <= Days(rule)))
                    found.Add(Condition(rule, c.Id, null, Labels(c.Name), $"The credential of cluster {c.Name} ends at {c.CredentialExpiresAt:u}.",
                        (c.CredentialExpiresAt!.Value - now).TotalDays));
                break;
            case BuiltInRule.AccessGrantExpiring:
                foreach (var g in world.OpenGrants.Where(g => (rule.WorkspaceId is null || g.WorkspaceId == rule.WorkspaceId) && g.ValidFrom <= now && g.ValidUntil - now <= Days(rule)))
                    found.Add(Condition(rule, g.ClusterId, g.ServiceMapId, Labels(g.ClusterName, ("user", g.UserName), ("grant", g.Id.ToString())),
                        $"{g.UserName}'s {g.Role} access to {g.ClusterName} ends at {g.ValidUntil:u}.", (g.ValidUntil - now).TotalDays));
                break;
            case null:
                await QueryAsync(rule, rule.Definition.Expression!, found, unknown,
                    (labels, value) => SummaryTemplate.Render(rule.Definition.SummaryTemplate, rule.Definition.Name, labels, value), ct);
                break;
        }
        return new RuleOutcome(found, unknown);
    }

    private static TimeSpan Days(EffectiveRule rule) => TimeSpan.FromDays(rule.Definition.Threshold ?? 1);

    /// <summary>A container waiting in CrashLoopBackOff, or a pod not ready that restarted at least the threshold's times.</summary>
    private static bool CrashLooping(PodInfo pod, double? threshold) =>
        pod.Containers.Any(c => c.Reason == "CrashLoopBackOff") || !pod.Ready && pod.Restarts >= (threshold ?? 3);

    private IEnumerable<Clusters.ClusterView> Reachable(EffectiveRule rule, HashSet<Guid> unknown)
    {
        foreach (var c in world.ClustersOf(rule.WorkspaceId))
        {
            // An unreachable cluster's inventory is as old as the last contact: its alerts stay as they were.
            if (c.Health == ClusterHealth.Unreachable) { unknown.Add(c.Id); continue; }
            yield return c;
        }
    }

    private IEnumerable<(Clusters.ClusterView Cluster, string Namespace, Guid MapId)> WorkspaceNamespaces(EffectiveRule rule, HashSet<Guid> unknown)
    {
        if (rule.WorkspaceId is not { } workspaceId) yield break;
        foreach (var c in Reachable(rule, unknown))
            foreach (var map in world.MapsOf(workspaceId, c.Id))
                yield return (c, map.Namespace, map.Id);
    }

    private IEnumerable<AlertCondition> QuotaConditions(EffectiveRule rule, string clusterName, Guid clusterId, string ns, Guid mapId, IReadOnlyList<PodInfo> pods)
    {
        var map = world.ServiceMaps.First(m => m.Id == mapId);
        var live = pods.Where(p => p.Namespace == ns && p.Phase is "Running" or "Pending").ToList();
        var used = new Dictionary<string, decimal>
        {
            ["cpu"] = live.Sum(p => p.Requests.CpuMillis) / 1000m,
            ["memory"] = live.Sum(p => p.Requests.MemoryBytes),
            ["gpu"] = live.Sum(p => p.Requests.Gpus),
            ["pods"] = live.Count,
        };
        foreach (var (resource, amount) in used)
        {
            var limit = map.Quota.Amount(resource).Value;
            if (limit <= 0) continue;
            var percent = (double)(amount / limit * 100);
            if (percent < (rule.Definition.Threshold ?? 90)) continue;
            yield return Condition(rule, clusterId, mapId, Labels(clusterName, ("namespace", ns), ("service_map", map.Name), ("resource", resource)),
                $"Service map {map.Name} uses {SummaryTemplate.Format(percent)} % of its {resource} quota.", percent);
        }
    }

    private async Task QueryAsync(EffectiveRule rule, string expression, List<AlertCondition> found, HashSet<Guid> unknown,
        Func<IReadOnlyDictionary<string, string>, double, string> summary, CancellationToken ct)
    {
        foreach (var c in world.ClustersOf(rule.WorkspaceId))
        {
            var namespaces = rule.WorkspaceId is { } ws ? world.MapsOf(ws, c.Id).Select(m => m.Namespace).ToList() : [];
            if (rule.WorkspaceId is not null && namespaces.Count == 0) continue;
            var confined = RuleExpressions.ForCluster(rule.WorkspaceId, expression, namespaces);
            if (!confined.Succeeded) continue; // refused when saved; a namespace since removed can only narrow it
            var answer = await prometheus.QueryAsync(c.Id, confined.Query!, now, ct);
            if (!answer.Succeeded)
            {
                if (answer.Failure!.Kind != PrometheusFailureKind.NotConfigured) unknown.Add(c.Id);
                continue;
            }
            foreach (var sample in answer.Value!)
            {
                var labels = new Dictionary<string, string>(sample.Labels.Where(l => l.Key != "__name__"));
                foreach (var (k, v) in rule.Definition.Labels) labels[k] = v;
                labels[AlertLabels.Cluster] = c.Name;
                var map = world.MapAt(c.Id, labels.GetValueOrDefault(AlertLabels.Namespace));
                found.Add(Condition(rule, c.Id, map?.Id, labels, summary(labels, sample.Value), sample.Value));
            }
        }
    }

    private static Dictionary<string, string> Labels(string cluster, params (string Name, string Value)[] more)
    {
        var labels = new Dictionary<string, string> { [AlertLabels.Cluster] = cluster };
        foreach (var (name, value) in more) labels[name] = value;
        return labels;
    }

    private static AlertCondition Condition(EffectiveRule rule, Guid? clusterId, Guid? mapId, Dictionary<string, string> labels, string summary, double? value)
    {
        foreach (var (k, v) in rule.Definition.Labels) labels.TryAdd(k, v);
        return new AlertCondition(Alert.FingerprintOf(rule.Id.ToString(), labels), rule.Id, rule.Definition.Name, rule.Definition.Severity,
            rule.WorkspaceId, clusterId, mapId, labels, summary, value, AlertSource.Cocktail);
    }
}
