using Cocktail.Application.Clusters.ObservingInventory;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>One change to the stored inventory; the writer applies them in order, in batches.</summary>
public abstract record InventoryOperation(Guid ClusterId);

public sealed record UpsertObject(Guid ClusterId, InventoryKind Kind, string Namespace, string Name, string? ResourceVersion, object Data)
    : InventoryOperation(ClusterId);

public sealed record DeleteObject(Guid ClusterId, InventoryKind Kind, string Namespace, string Name) : InventoryOperation(ClusterId);

/// <summary>After a full list: everything of this kind that the list did not contain is gone from the cluster.</summary>
public sealed record KeepOnly(Guid ClusterId, InventoryKind Kind, IReadOnlyCollection<string> Keys) : InventoryOperation(ClusterId);

public sealed record UpsertEvent(Guid ClusterId, KubeEventInfo Event) : InventoryOperation(ClusterId);

public sealed record UpsertSummary(Guid ClusterId, ClusterSummary Summary) : InventoryOperation(ClusterId);

/// <summary>
/// Nothing to store (the health is in the cluster's stream, already committed), but the batch's notification tells
/// live pages on every replica to read the cluster again.
/// </summary>
public sealed record HealthRecorded(Guid ClusterId) : InventoryOperation(ClusterId);

/// <summary>The cluster was unregistered: its inventory goes.</summary>
public sealed record ForgetCluster(Guid ClusterId) : InventoryOperation(ClusterId);

internal static class InventoryKeys
{
    public static string Of(string ns, string name) => ns + "/" + name;
}
