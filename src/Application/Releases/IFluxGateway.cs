using System.Text.Json.Nodes;
using Cocktail.Domain.Charts;

namespace Cocktail.Application.Releases;

/// <summary>Why a cluster could not be asked: unreachable, or an object it refused (with the API server's message).</summary>
public sealed record FluxFailure(string Message, bool Unreachable, string? Field = null);

/// <summary>A Flux controller Deployment in <c>flux-system</c>, as <c>flux install</c> lays them out.</summary>
public sealed record FluxController(string Name, bool Present, int Replicas, int ReadyReplicas)
{
    public bool Ready => Present && ReadyReplicas > 0;
}

/// <summary>
/// What a cluster has of Flux: the CRDs Cocktail writes (HelmRepository, OCIRepository, HelmChart, HelmRelease) served
/// in the versions it writes, and the source-controller and helm-controller Deployments.
/// </summary>
public sealed record FluxPresence(IReadOnlyList<string> MissingCrds, IReadOnlyList<FluxController> Controllers)
{
    public bool Installed => MissingCrds.Count == 0 && Controllers.All(c => c.Present);
    public bool Ready => Installed && Controllers.All(c => c.Ready);

    public string Summary => Ready ? "Flux is installed and its controllers are ready."
        : MissingCrds.Count > 0 ? $"Flux is not installed: the cluster does not serve {string.Join(", ", MissingCrds)}."
        : Controllers.FirstOrDefault(c => !c.Present) is { } missing ? $"Flux's {missing.Name} is not installed in flux-system."
        : $"Flux's {string.Join(", ", Controllers.Where(c => !c.Ready).Select(c => c.Name))} has no ready replica.";
}

/// <summary>A HelmRelease Cocktail manages, as one list of a cluster shows it (for the follower: what changed since).</summary>
public sealed record ObservedHelmRelease(Guid ReleaseId, string Namespace, string Name, string ResourceVersion, HelmReleaseObservation Observation);

/// <summary>
/// Cocktail's way to drive Flux on a registered cluster (implemented over KubernetesClient in Infrastructure, through
/// the same client factory, resilience and per-cluster bound as every cluster call). The objects are plain
/// Kubernetes JSON built by <see cref="FluxObjects"/>; the gateway decides nothing.
/// </summary>
public interface IFluxGateway
{
    Task<(FluxPresence? Presence, FluxFailure? Failure)> DetectAsync(Guid clusterId, CancellationToken ct);

    /// <summary>Server-side apply of every object, in order, with the field manager <c>cocktail</c> (forced).</summary>
    Task<FluxFailure?> ApplyAsync(Guid clusterId, IReadOnlyList<JsonObject> objects, CancellationToken ct);

    /// <summary>Deletes the HelmRelease (Flux uninstalls the Helm release through its finalizer) and its HelmRepository.</summary>
    Task<FluxFailure?> DeleteReleaseAsync(Guid clusterId, string @namespace, string name, CancellationToken ct);

    /// <summary>The HelmRelease's conditions and history; <see cref="HelmReleaseObservation.Gone"/> when it does not exist.</summary>
    Task<(HelmReleaseObservation? Observation, FluxFailure? Failure)> ObserveAsync(Guid clusterId, string @namespace, string name, CancellationToken ct);

    /// <summary>Every HelmRelease Cocktail manages on the cluster (by its label), in all namespaces.</summary>
    Task<(IReadOnlyList<ObservedHelmRelease>? Releases, FluxFailure? Failure)> ListManagedAsync(Guid clusterId, CancellationToken ct);
}
