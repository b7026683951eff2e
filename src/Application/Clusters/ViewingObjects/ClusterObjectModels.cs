using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.ObservingInventory;

namespace Cocktail.Application.Clusters.ViewingObjects;

/// <summary>One line of a describe-like summary; a value may hold several lines.</summary>
public sealed record ObjectField(string Name, string Value);

public sealed record ObjectCondition(string Type, string Status, string? Reason, string? Message, DateTimeOffset? LastTransition);

/// <summary>Another object this one names (an owner, a backend Service, an event's object), and how it relates.</summary>
public sealed record ObjectRef(string Kind, string? Namespace, string Name, string Relation)
{
    /// <summary>The console's kind, when the console opens objects of this kind.</summary>
    public ObjectKind? Openable => ObjectKinds.FromKubernetesKind(Kind);
}

/// <summary>A pod's container: what runs, its state, and how it last ended when it restarted.</summary>
public sealed record ContainerDetails(string Name, string Image, string State, string? StateDetail, bool Ready, int Restarts,
    string? LastTermination, bool Init = false);

/// <summary>What `kubectl describe` tells about an object, read from the object itself.</summary>
public sealed record ObjectDescription(
    string Kind, string? Namespace, string Name, DateTimeOffset? Created,
    IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations,
    IReadOnlyList<ObjectField> Fields, IReadOnlyList<ObjectCondition> Conditions, IReadOnlyList<ObjectRef> Owners,
    IReadOnlyDictionary<string, string>? Selector, IReadOnlyList<ObjectRef> References, IReadOnlyList<ContainerDetails> Containers,
    string? Node);

/// <summary>An object as the cluster has it now: YAML without <c>metadata.managedFields</c>, and its summary.</summary>
public sealed record LiveObject(string Yaml, ObjectDescription Description);

public enum LiveObjectProblem { None, NotFound, Refused, Unreachable }

/// <summary>Reads one object live from its cluster; KubernetesClient (through the cluster client factory) in Infrastructure.</summary>
public interface IClusterObjectReader
{
    Task<(LiveObject? Object, LiveObjectProblem Problem, string? Message)> ReadAsync(ClusterConnection cluster, ObjectKind kind, string? ns,
        string name, CancellationToken ct);
}

/// <summary>
/// An object's detail view. <c>CapacityOnly</c>: a node of a shared cluster seen by a member, shown as the node list
/// shows it (no YAML, labels, annotations or addresses).
/// </summary>
public sealed record ClusterObjectDetails(
    Guid ClusterId, string ClusterName, ObjectKind Kind, string? Namespace, string Name, string? Yaml, ObjectDescription Description,
    IReadOnlyList<ObjectRef> Related, IReadOnlyList<KubeEventInfo> Events, bool CapacityOnly);
