using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The horizontal pod autoscaler for cpu/memory Utilization targets, fed by the simulated pod usage: every 15 s
/// (and on changes) it computes desiredReplicas = ceil(current × utilization / target) with the 10 % tolerance,
/// keeps scale-downs for the 5-minute stabilization window, scales the target and reports status and the
/// AbleToScale / ScalingActive / ScalingLimited conditions.
/// </summary>
internal sealed class HorizontalPodAutoscalerController(ClusterRuntime cluster) : Controller(cluster)
{
    static readonly TimeSpan SyncPeriod = TimeSpan.FromSeconds(15);
    static readonly TimeSpan DownscaleStabilization = TimeSpan.FromMinutes(5);
    const decimal Tolerance = 0.1m;

    readonly EventRecorder _events = new(cluster);
    readonly Dictionary<string, List<(DateTimeOffset At, int Replicas)>> _recommendations = [];
    readonly HashSet<string> _timers = [];

    ResourceType Type => Cluster.Type("autoscaling", "horizontalpodautoscalers");

    public override void Start()
    {
        foreach (var h in Cluster.Store.List("autoscaling/horizontalpodautoscalers", null).Items) Enqueue(KeyOf(h));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        // Its own status writes must not trigger a re-evaluation: the HPA works on its 15 s period, not in a loop.
        if (change.Object.StorageKey == "autoscaling/horizontalpodautoscalers" &&
            (change.Type == "ADDED" || (change.Type == "MODIFIED" && Generation(change.Object) != Generation(change.Previous))))
            yield return KeyOf(change.Object);
    }

    static long? Generation(StoredObject? o) => o?.Parse().Long("metadata", "generation");

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var hpa = Cluster.Registry.TryGet(Type, ns, name);
        if (hpa is null) { _recommendations.Remove(key); return; }
        Evaluate(key, hpa);
        if (_timers.Add(key))
            Schedule(SyncPeriod, () => { _timers.Remove(key); Enqueue(key); });
    }

    void Evaluate(string key, JsonObject hpa)
    {
        var now = Cluster.Time.GetUtcNow();
        var stamp = ObjectMetadata.Timestamp(now);
        var targetRef = hpa.At("spec", "scaleTargetRef");
        var targetType = Cluster.Catalog.FindByApiVersionKind(targetRef.Str("apiVersion") ?? "apps/v1", targetRef.Str("kind") ?? "");
        var target = targetType is null ? null : Cluster.Registry.TryGet(targetType, hpa.Namespace(), targetRef.Str("name") ?? "");
        if (target is null || targetType is null)
        {
            WriteStatus(hpa, null, null, null, [("AbleToScale", "False", "FailedGetScale",
                $"the HPA controller was unable to get the target's current scale: {targetType?.Qualified ?? "deployments.apps"} \"{targetRef.Str("name")}\" not found")], stamp);
            return;
        }
        var current = (int)(target.Long("spec", "replicas") ?? 1);
        var metric = hpa.At("spec", "metrics").Objects().FirstOrDefault(m => m.Str("type") == "Resource" && m.Str("resource", "target", "type") == "Utilization");
        var resource = metric.Str("resource", "name") ?? "cpu";
        var targetUtilization = metric?.Long("resource", "target", "averageUtilization");
        var utilization = targetUtilization is null ? null : AverageUtilization(target, resource);
        if (targetUtilization is null || utilization is null)
        {
            WriteStatus(hpa, current, current, null, [
                ("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale"),
                ("ScalingActive", "False", "FailedGetResourceMetric", $"the HPA was unable to compute the replica count: failed to get {resource} utilization: unable to get metrics for resource {resource}: no metrics returned from resource metrics API")], stamp);
            return;
        }
        var ratio = utilization.Value / targetUtilization.Value;
        var raw = Math.Abs(ratio - 1) <= Tolerance ? current : (int)Math.Ceiling(current * ratio);
        var min = (int)(hpa.Long("spec", "minReplicas") ?? 1);
        var max = (int)(hpa.Long("spec", "maxReplicas") ?? current);
        var bounded = Math.Clamp(raw, min, max);
        // As the real controller does, a new autoscaler's history starts with the current count, so it cannot scale a
        // workload down in its first five minutes.
        var history = _recommendations.TryGetValue(key, out var h) ? h : _recommendations[key] = [(now, current)];
        history.Add((now, bounded));
        history.RemoveAll(r => now - r.At > DownscaleStabilization);
        var desired = bounded < current ? Math.Max(bounded, history.Max(r => r.Replicas)) : bounded;
        if (desired != current)
        {
            Cluster.Registry.Mutate(targetType, target.Namespace(), target.Name(), WriteOptions.Internal("horizontal-pod-autoscaler"), "scale", t =>
            {
                t.Obj("spec")["replicas"] = desired;
                t.Obj("metadata").Remove("resourceVersion");
                return t;
            });
            var reason = desired > current ? $"{resource} resource utilization (percentage of request) above target" : "All metrics below target";
            _events.Normal(hpa, "HorizontalPodAutoscaler", "SuccessfulRescale", $"New size: {desired}; reason: {reason}", "horizontal-pod-autoscaler");
        }
        var limited = raw != bounded;
        WriteStatus(hpa, current, desired, (resource, (long)Math.Round(utilization.Value)), [
            ("AbleToScale", "True", desired != current ? "SucceededRescale" : "ReadyForNewScale",
                desired != current ? $"the HPA controller was able to update the target scale to {desired}" : "recommended size matches current size"),
            ("ScalingActive", "True", "ValidMetricFound", $"the HPA was able to successfully calculate a replica count from {resource} resource utilization (percentage of request)"),
            ("ScalingLimited", limited ? "True" : "False", limited ? (raw > max ? "TooManyReplicas" : "TooFewReplicas") : "DesiredWithinRange",
                limited ? $"the desired replica count is {(raw > max ? "more" : "less")} than the {(raw > max ? "maximum" : "minimum")} replica count" : "the desired count is within the acceptable range")],
            stamp, desired != current ? stamp : null);
    }

    /// <summary>Mean of usage/request over the target's running pods, in percent; null without pods or requests.</summary>
    decimal? AverageUtilization(JsonObject target, string resource)
    {
        var selector = LabelSelector.FromObject(target.At("spec", "selector"));
        if (selector is null) return null;
        var ratios = new List<decimal>();
        foreach (var stored in Cluster.Store.List("/pods", target.Namespace()).Items)
        {
            var pod = stored.Parse();
            if (pod.Str("status", "phase") != "Running" || pod.IsDeleting() || !selector.Matches(pod)) continue;
            decimal usage = 0, request = 0;
            foreach (var c in pod.At("spec", "containers").Objects())
            {
                var (cpu, memory) = PodUsage.Of(pod, c);
                usage += resource == "cpu" ? cpu.Value : memory.Value;
                request += Quantity.Parse(c.Str("resources", "requests", resource)).Value;
            }
            if (request > 0) ratios.Add(usage / request * 100);
        }
        return ratios.Count == 0 ? null : ratios.Average();
    }

    void WriteStatus(JsonObject hpa, int? current, int? desired, (string Resource, long Utilization)? metric,
        (string Type, string Status, string Reason, string Message)[] conditions, string now, string? scaledAt = null) =>
        Workloads.WriteStatus(Cluster, Type, hpa, "horizontal-pod-autoscaler", h =>
        {
            var status = h.Obj("status");
            if (current is { } c) status["currentReplicas"] = c;
            if (desired is { } d) status["desiredReplicas"] = d;
            if (scaledAt is not null) status["lastScaleTime"] = scaledAt;
            if (metric is { } m)
                status["currentMetrics"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Resource",
                    ["resource"] = new JsonObject { ["name"] = m.Resource, ["current"] = new JsonObject { ["averageUtilization"] = m.Utilization } },
                });
            foreach (var (type, state, reason, message) in conditions)
            {
                var list = status.Arr("conditions");
                var existing = list.Objects().FirstOrDefault(x => x.Str("type") == type);
                if (existing is null) list.Add(existing = new JsonObject { ["type"] = type });
                if (existing.Str("status") != state) existing["lastTransitionTime"] = now;
                existing["status"] = state;
                existing["reason"] = reason;
                existing["message"] = message;
            }
        });
}
