using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Domain.Workloads;

namespace Cocktail.Web.Components.Pages.Workloads;

/// <summary>How the console words a workload's spec in lists and headers.</summary>
public static class WorkloadFormat
{
    /// <summary>"3", "2–6 (autoscaled at 70% CPU)", "—" for jobs.</summary>
    public static string Replicas(WorkloadSpec spec) => spec switch
    {
        { Scalable: false } => "—",
        { Autoscaler: { } a } => $"{a.MinReplicas}–{a.MaxReplicas} (autoscaled at {a.CpuTargetPercent}% CPU)",
        _ => spec.DesiredReplicas.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string Images(WorkloadSpec spec) => string.Join(", ", spec.Containers.Select(c => c.Image));

    public static string? Service(WorkloadSpec spec) => spec.Service is { } s
        ? $"{s.Type} " + string.Join(", ", (s.Ports ?? []).Select(p => $"{p.Port}→{p.TargetPort}"))
        : null;

    public static string? Ingress(WorkloadSpec spec) => spec.Ingress is { } i
        ? $"{i.Host}{i.Path} → port {i.ServicePort}" + (i.ClassName is { } c ? $" (class {c})" : "")
        : null;

    /// <summary>
    /// Ready pods against the pods the workload should have, as `kubectl get` counts them (READY 18/25): a
    /// Deployment stalled at 18 of 25 replicas (the quota refused the rest) must not read as complete. An
    /// autoscaled, daemon or batch workload has no fixed number in its spec, so its own pods are the measure.
    /// </summary>
    public static string Ready(WorkloadSpec spec, IReadOnlyCollection<PodInfo> pods)
    {
        var running = pods.Where(p => p.Phase is not ("Succeeded" or "Failed")).ToList();
        var ready = running.Count(p => p.Ready);
        if (!spec.Scalable || spec.Autoscaler is not null) return $"{ready} / {running.Count}";
        var desired = spec.DesiredReplicas;
        var missing = desired - running.Count;
        return missing > 0
            ? $"{ready} / {desired} ({missing} {(missing == 1 ? "pod" : "pods")} not created)"
            : $"{ready} / {desired}";
    }

    public static string Value(string? value) => value ?? "(none)";
}
