using Cocktail.Domain.Clusters;
using Cocktail.Domain.ImageScanning;

namespace Cocktail.Application.ImageScanning.ConfiguringGate;

/// <summary>A cluster's image gate setting and what the reconciler last made of it (projected inline from its stream).</summary>
public sealed class ClusterImageGateView
{
    /// <summary>The stream's id, <see cref="ClusterImageGate.StreamIdFor"/> of the cluster's.</summary>
    public Guid Id { get; set; }
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public string? WebhookUrl { get; set; }
    public string? ConfiguredBy { get; set; }
    public DateTimeOffset? ConfiguredAt { get; set; }
    /// <summary>Applied, Failed, or Pending (changed, not yet on the cluster).</summary>
    public string State { get; set; } = "Pending";
    public string? StateMessage { get; set; }
    public DateTimeOffset? StateAt { get; set; }
    public long Version { get; set; }

    public static ClusterImageGateView Create(ClusterImageGateConfigured e) => new()
    {
        Id = ClusterImageGate.StreamIdFor(e.ClusterId), ClusterId = e.ClusterId, ClusterName = e.Name, WebhookUrl = e.WebhookUrl,
        ConfiguredBy = e.ConfiguredBy.Name, ConfiguredAt = e.ConfiguredAt, StateAt = e.ConfiguredAt,
    };

    public void Apply(ClusterImageGateConfigured e)
    {
        (ClusterName, WebhookUrl, ConfiguredBy, ConfiguredAt) = (e.Name, e.WebhookUrl, e.ConfiguredBy.Name, e.ConfiguredAt);
        (State, StateMessage, StateAt) = ("Pending", null, e.ConfiguredAt);
    }

    public void Apply(ClusterImageGateCleared e)
    {
        (WebhookUrl, ConfiguredBy, ConfiguredAt) = (null, e.ClearedBy.Name, e.ClearedAt);
        (State, StateMessage, StateAt) = ("Pending", null, e.ClearedAt);
    }

    public void Apply(ClusterImageGateApplied e) => (State, StateMessage, StateAt) =
        ("Applied", e.WebhookUrl is null ? "The webhook configuration is removed from the cluster." : null, e.AppliedAt);

    public void Apply(ClusterImageGateApplyFailed e) => (State, StateMessage, StateAt) = ("Failed", e.Reason, e.FailedAt);

    public bool ShouldDelete(ClusterUnregistered _) => true;
}
