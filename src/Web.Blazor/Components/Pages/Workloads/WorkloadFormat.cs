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

    /// <summary>Ready pods of all the workload's pods, as `kubectl get` counts them.</summary>
    public static string Ready(IReadOnlyCollection<PodInfo> pods) => $"{pods.Count(p => p.Ready)} / {pods.Count}";

    public static string Value(string? value) => value ?? "(none)";
}
