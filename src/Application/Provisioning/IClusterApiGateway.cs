using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Application.Provisioning;

/// <summary>A ClusterClass on a management cluster, offered for topology clusters.</summary>
public sealed record ClusterClassInfo(string Namespace, string Name, IReadOnlyList<string> MachineDeploymentClasses, string? Infrastructure);

/// <summary>What a management cluster serves: its CRDs (<c>Kind.group</c>, with their served and storage versions) and ClusterClasses.</summary>
public sealed record ManagementDiscovery(
    IReadOnlySet<string> ServedCrds, IReadOnlyDictionary<string, string> StorageVersions, IReadOnlyList<ClusterClassInfo> ClusterClasses)
{
    public IReadOnlyList<Infrastructure> Infrastructures => InfrastructureCatalog.Installed(ServedCrds);
    public bool ClusterClassesServed => InfrastructureCatalog.ClusterClassServed(ServedCrds);
}

/// <summary>Why a management cluster could not be asked: unreachable, refused, or an object it refused on apply.</summary>
public sealed record ManagementFailure(string Message, bool Unreachable, string? Field = null);

/// <summary>A Machine of a provisioned cluster, for the console.</summary>
public sealed record MachineInfo(
    string Name, string? Pool, bool ControlPlane, string Phase, string? Version, string? NodeName,
    IReadOnlyList<ObservedCondition> Conditions, DateTimeOffset? CreatedAt);

/// <summary>An event recorded on the management cluster about one of a provisioned cluster's objects.</summary>
public sealed record ManagementEvent(string Type, string Reason, string Message, string Kind, string ObjectName, int Count, DateTimeOffset? LastSeen);

/// <summary>
/// Cocktail's way to drive Cluster API on a registered management cluster (implemented over KubernetesClient in
/// Infrastructure, through the same client factory and resilience as every cluster call). The objects are plain
/// Kubernetes JSON; the gateway never decides anything.
/// </summary>
public interface IClusterApiGateway
{
    /// <summary>The CRDs and ClusterClasses the management cluster serves; a failure when it cannot be reached.</summary>
    Task<(ManagementDiscovery? Discovery, ManagementFailure? Failure)> DiscoverAsync(Guid managementClusterId, CancellationToken ct);

    /// <summary>The openAPIV3Schema of each (apiVersion, kind) as the management cluster's CRDs declare it (missing: not served).</summary>
    Task<IReadOnlyDictionary<(string ApiVersion, string Kind), JsonElement>> ReadSchemasAsync(
        Guid managementClusterId, IReadOnlyCollection<(string ApiVersion, string Kind)> kinds, CancellationToken ct);

    /// <summary>Server-side apply of every object, in order, with Cocktail's field manager (forced: Cocktail owns these fields).</summary>
    Task<ManagementFailure?> ApplyAsync(Guid managementClusterId, IReadOnlyList<JsonObject> objects, CancellationToken ct);

    /// <summary>The Cluster object's state and its parts', translated into the domain's terms.</summary>
    Task<(ProvisioningObservation? Observation, ManagementFailure? Failure)> ObserveAsync(
        Guid managementClusterId, ClusterBlueprint desired, CancellationToken ct);

    Task<IReadOnlyList<MachineInfo>> MachinesAsync(Guid managementClusterId, string @namespace, string name, CancellationToken ct);

    Task<IReadOnlyList<ManagementEvent>> EventsAsync(Guid managementClusterId, string @namespace, string name, CancellationToken ct);

    /// <summary>The <c>&lt;name&gt;-kubeconfig</c> Secret's <c>value</c> Cluster API writes when the control plane is up; null until then.</summary>
    Task<string?> ReadKubeconfigAsync(Guid managementClusterId, string @namespace, string name, CancellationToken ct);

    /// <summary>Deletes the Cluster object (Cluster API deletes the rest, then the Cluster goes away).</summary>
    Task<ManagementFailure?> DeleteClusterAsync(Guid managementClusterId, string @namespace, string name, CancellationToken ct);

    /// <summary>Deletes one pool's objects (MachineDeployment or MachinePool and their templates) when a pool is removed.</summary>
    Task<ManagementFailure?> DeleteObjectsAsync(Guid managementClusterId, IReadOnlyList<JsonObject> objects, CancellationToken ct);
}
