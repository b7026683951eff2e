using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Workloads;

namespace Cocktail.Application.Workloads;

/// <summary>A workload's objects on the cluster: where, labelled with its id and the revision they carry.</summary>
public sealed record WorkloadManifest(Guid WorkloadId, string Namespace, int Revision, WorkloadSpec Spec);

public enum LogSourceProblem { None, NoSuchPod, Refused, Unreachable }

/// <summary>
/// Workload specs as Kubernetes YAML, both ways, so the console's form and YAML editor work on the same spec;
/// KubernetesClient's YAML model in Infrastructure.
/// </summary>
public interface IWorkloadYaml
{
    /// <summary>
    /// One workload (Deployment, StatefulSet, Job or CronJob) with at most one Service, one Ingress and one
    /// HorizontalPodAutoscaler. Fields Cocktail's spec cannot carry are refused by path rather than dropped.
    /// </summary>
    (WorkloadSpec? Spec, IReadOnlyDictionary<string, string[]>? Errors) Read(string yaml);

    /// <summary>The spec as the documents Cocktail would apply (without the namespace and Cocktail's own labels).</summary>
    string Write(WorkloadSpec spec);
}

/// <summary>Applies workloads with server-side apply and removes them; KubernetesClient in Infrastructure.</summary>
public interface IWorkloadApplier
{
    Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, WorkloadManifest manifest, CancellationToken ct);

    Task<ApplyOutcome> RemoveAsync(ClusterConnection cluster, WorkloadManifest manifest, CancellationToken ct);

    /// <summary>
    /// A container's log, following it when asked (the stream ends when the caller cancels); <paramref name="previous"/>
    /// reads the container that ran before the last restart.
    /// </summary>
    Task<(Stream? Log, LogSourceProblem Problem, string? Message)> OpenLogAsync(ClusterConnection cluster, string ns, string pod, string? container,
        bool follow, int? tailLines, bool previous, CancellationToken ct);
}

public static class WorkloadLabels
{
    public const string Workload = "cocktail.io/workload";
    public const string Revision = "cocktail.io/revision";
    public const string Name = "app.kubernetes.io/name";

    /// <summary>Labels Cocktail sets itself; a spec's own labels never carry them.</summary>
    public static bool IsCocktails(string key) =>
        key.StartsWith("cocktail.io/", StringComparison.Ordinal) || key is Name or ServiceMaps.Reconciling.ServiceMapManifest.ManagedByLabel;

    public static InventoryKind InventoryKindOf(WorkloadKind kind) => kind switch
    {
        WorkloadKind.Deployment => InventoryKind.Deployment,
        WorkloadKind.StatefulSet => InventoryKind.StatefulSet,
        WorkloadKind.Job => InventoryKind.Job,
        _ => InventoryKind.CronJob,
    };
}

/// <summary>What the inventory (kept by the cluster watchers) holds of Cocktail's workloads.</summary>
public interface IWorkloadInventory
{
    /// <summary>Every workload object on the cluster that carries a Cocktail workload id, with that id.</summary>
    Task<IReadOnlyList<(Guid WorkloadId, WorkloadInfo Info)>> WorkloadsAsync(Guid clusterId, CancellationToken ct);

    /// <summary>The pods of Cocktail's workloads on the cluster (of one workload, when given).</summary>
    Task<IReadOnlyList<(Guid WorkloadId, PodInfo Pod)>> PodsAsync(Guid clusterId, Guid? workloadId, CancellationToken ct);

    /// <summary>Events about the workload, its ReplicaSets, Jobs, pods, Service, Ingress and autoscaler, newest first.</summary>
    Task<Page<KubeEventInfo>> EventsAsync(Guid clusterId, string ns, string name, WorkloadKind kind, int page, int pageSize, CancellationToken ct);
}
