using System.Globalization;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Domain.Workloads;

namespace Cocktail.Application.Workloads.Reconciling;

/// <summary>
/// Reads a workload's rollout from what the cluster reports, the way `kubectl rollout status` does, and compares
/// the objects with the spec of record. The objects carry the revision Cocktail applied, so a status that still
/// describes an earlier revision is never taken for this one, and a hand-made change is told apart from a change
/// Cocktail has not applied yet.
/// </summary>
public static class RolloutObserver
{
    /// <summary>Container states that do not resolve by waiting: the rollout is stalled on them.</summary>
    private static readonly HashSet<string> StuckReasons =
        ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"];

    /// <summary>The observation to record, or null when nothing changed (or nothing can be said yet).</summary>
    public static WorkloadObservation? Observe(WorkloadView view, WorkloadInfo? onCluster, IReadOnlyList<PodInfo> pods)
    {
        var (status, message, drift) = Read(view, onCluster, pods);
        if (status is null) return null;
        return status == view.Rollout && message == view.RolloutMessage && drift.SequenceEqual(view.Drift)
            ? null
            : new WorkloadObservation(view.Id, view.Revision, status.Value, message, drift);
    }

    private static (RolloutStatus? Status, string? Message, IReadOnlyList<string> Drift) Read(WorkloadView view, WorkloadInfo? info, IReadOnlyList<PodInfo> pods)
    {
        if (info is null)
            // Not applied yet (or refused): nothing to observe. Once it ran, a missing object was deleted by hand.
            return view.Rollout is RolloutStatus.Pending or RolloutStatus.Failed
                ? (null, null, [])
                : (view.Rollout, view.RolloutMessage, [$"The {view.Kind} was deleted on the cluster."]);

        if (!info.Labels.TryGetValue(WorkloadLabels.Revision, out var label) ||
            !int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) || revision != view.Revision)
            return (null, null, []); // the current revision is not on the cluster yet

        var (status, message) = Status(view.Kind, info, pods);
        return (status, message, Drift(view.Spec, info));
    }

    private static (RolloutStatus, string?) Status(WorkloadKind kind, WorkloadInfo info, IReadOnlyList<PodInfo> pods)
    {
        switch (kind)
        {
            case WorkloadKind.CronJob:
                return (RolloutStatus.Available, info.Status == "Suspended" ? "Suspended" : null);
            case WorkloadKind.Job when info.Status == "Complete":
                return (RolloutStatus.Complete, null);
            case WorkloadKind.Job when info.Status == "Failed":
                return (RolloutStatus.Failed, info.Message);
        }
        switch (info.Status)
        {
            case "Failing": return (RolloutStatus.Stalled, info.Message); // e.g. the quota refused the pods
            case "Stalled": return (RolloutStatus.Stalled, info.Message); // the progress deadline passed
            case "Available" when kind is not WorkloadKind.Job: return (RolloutStatus.Available, null);
        }
        var stuck = pods
            .Where(p => p.Phase is not ("Succeeded" or "Failed"))
            .SelectMany(p => p.Containers.Select(c => (Pod: p, Container: c)))
            .Where(x => x.Container.Reason is { } reason && StuckReasons.Contains(reason))
            .OrderBy(x => x.Pod.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        return stuck.Container is { } container
            ? (RolloutStatus.Stalled, $"{container.Reason}: container {container.Name} ({container.Image}) in pod {stuck.Pod.Name}")
            : (RolloutStatus.Progressing, null);
    }

    /// <summary>What differs between the spec of record and the object on the cluster (replicas and images).</summary>
    public static IReadOnlyList<string> Drift(WorkloadSpec spec, WorkloadInfo info)
    {
        var findings = new List<string>();
        if (spec.Scalable && spec.Autoscaler is null && info.Desired != spec.DesiredReplicas)
            findings.Add($"replicas: {info.Desired} on the cluster, {spec.DesiredReplicas} in Cocktail");
        var wanted = spec.Containers.Select(c => c.Image).ToList();
        if (wanted.Count != info.Images.Count)
            findings.Add($"containers: {info.Images.Count} on the cluster, {wanted.Count} in Cocktail");
        else
            for (var i = 0; i < wanted.Count; i++)
                if (wanted[i] != info.Images[i])
                    findings.Add($"image of {spec.Containers[i].Name}: {info.Images[i]} on the cluster, {wanted[i]} in Cocktail");
        return findings;
    }
}
