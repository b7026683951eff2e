using Cocktail.Application.Clusters.WarningOfExpiry;
using Cocktail.Application.Clusters.ObservingInventory;

namespace Cocktail.Application.Clusters.Registering;

/// <summary>Runs after the command that changed the connection has committed (Wolverine's outbox).</summary>
public static class ClusterConnectionChangedHandler
{
    /// <summary>Also checks the new credential's expiry at once, rather than at the next hourly pass.</summary>
    public static async Task<WarnAboutExpiringCredentials> Handle(ClusterConnectionChanged message, IInventoryControl inventory, CancellationToken ct)
    {
        await inventory.ConnectionChangedAsync(message.ClusterId, ct);
        return new WarnAboutExpiringCredentials();
    }
}
