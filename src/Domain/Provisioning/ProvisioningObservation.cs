namespace Cocktail.Domain.Provisioning;

public sealed record ObservedCondition(string Type, string Status, string? Reason = null, string? Message = null);

public sealed record ObservedFailure(string Reason, string Message);

/// <summary>
/// The control plane or one node pool as its objects report it. <paramref name="Version"/> is the version all its
/// machines run (null while they differ); <paramref name="UpToDate"/> is true when no rollout is in progress and
/// every machine matches the spec. <paramref name="Failure"/> is a machine or provider failure that stops a rollout.
/// </summary>
public sealed record PartObservation(string? Version, bool UpToDate, int Replicas, int ReadyReplicas, ObservedFailure? Failure = null);

/// <summary>
/// What Cocktail read of a provisioned cluster's objects on the management cluster, translated from Cluster API's
/// terms by the infrastructure layer: the Cluster's v1beta2 conditions and phase, a terminal failure the provider
/// reported, and each part's version and rollout.
/// </summary>
public sealed record ProvisioningObservation(
    bool Exists, string? Phase, IReadOnlyList<ObservedCondition> Conditions, ObservedFailure? Failure,
    PartObservation? ControlPlane, IReadOnlyDictionary<string, PartObservation> Pools)
{
    public static ProvisioningObservation Gone { get; } = new(false, null, [], null, null, new Dictionary<string, PartObservation>());

    public bool IsTrue(string condition) => Conditions.Any(c => c.Type == condition && c.Status == "True");
}
