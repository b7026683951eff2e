using Cocktail.Application.Clusters.Connecting;
using Cocktail.Domain.Common;

namespace Cocktail.Application.ServiceMaps.Reconciling;

public enum ApplyResult
{
    Applied,
    /// <summary>The cluster did not answer: the service map stays Pending and is tried again.</summary>
    Unreachable,
    /// <summary>The cluster answered and refused; the message is the cluster's.</summary>
    Refused,
}

public sealed record ApplyOutcome(ApplyResult Result, string? Message = null)
{
    /// <summary>The outcome as the aggregates' decisions take it.</summary>
    public static implicit operator ClusterOutcome(ApplyOutcome outcome) => outcome.Result switch
    {
        ApplyResult.Applied => ClusterOutcome.Applied,
        ApplyResult.Refused => ClusterOutcome.Refused(outcome.Message),
        _ => ClusterOutcome.Unreachable,
    };
}

public enum NamespaceDeletion { Gone, Terminating, Unreachable, Refused }

public static class NamespaceDeletionOutcome
{
    /// <summary>Gone is the deletion applied; a namespace still terminating is, like an unreachable cluster, not known yet.</summary>
    public static ClusterOutcome ToOutcome(this NamespaceDeletion state, string? message) => state switch
    {
        NamespaceDeletion.Gone => ClusterOutcome.Applied,
        NamespaceDeletion.Refused => ClusterOutcome.Refused(message),
        _ => ClusterOutcome.Unreachable,
    };
}

/// <summary>ResourceQuota status: hard and used, per resource name, as the cluster reports them.</summary>
public sealed record QuotaUsage(IReadOnlyDictionary<string, string> Hard, IReadOnlyDictionary<string, string> Used);

/// <summary>Makes a cluster match a service map's manifest; implemented with KubernetesClient server-side apply.</summary>
public interface IServiceMapApplier
{
    Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct);

    /// <summary>What differs on the cluster from the manifest (empty when nothing does), in words for the audit trail.</summary>
    Task<(IReadOnlyList<string> Findings, ApplyOutcome Outcome)> FindDriftAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct);

    /// <summary>Puts drifted objects back exactly (replacing what was changed by hand).</summary>
    Task<ApplyOutcome> CorrectDriftAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct);

    Task<(NamespaceDeletion State, string? Message)> DeleteNamespaceAsync(ClusterConnection cluster, string ns, CancellationToken ct);

    Task<QuotaUsage?> ReadQuotaUsageAsync(ClusterConnection cluster, string ns, CancellationToken ct);
}
