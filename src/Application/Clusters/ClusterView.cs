using Cocktail.Domain.Clusters;
using Cocktail.Domain.Provisioning;

namespace Cocktail.Application.Clusters;

/// <summary>A registered cluster as lists and pages show it; projected inline from its stream.</summary>
public sealed class ClusterView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public ClusterProvider Provider { get; set; }
    public string? Region { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public string Server { get; set; } = "";
    public CredentialKind CredentialKind { get; set; }
    public DateTimeOffset? CredentialExpiresAt { get; set; }
    public bool CredentialExpiryWarning { get; set; }
    public string KubernetesVersion { get; set; } = "";
    public ClusterHealth Health { get; set; }
    public string? HealthDetail { get; set; }
    public DateTimeOffset HealthSince { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public string RegisteredBy { get; set; } = "";
    /// <summary>A Cluster API management cluster: Cocktail may create clusters through it.</summary>
    public bool ClusterApiManagement { get; set; }
    /// <summary>The infrastructures found installed when Cluster API management was last enabled (the page discovers them live).</summary>
    public List<Infrastructure> ClusterApiInfrastructures { get; set; } = [];
    public long Version { get; set; }

    public static ClusterView Create(ClusterRegistered e) => new()
    {
        Id = e.ClusterId, Name = e.Name, Provider = e.Provider, Region = e.Region, Labels = new(e.Labels),
        Server = e.Server, CredentialKind = e.CredentialKind, CredentialExpiresAt = e.CredentialExpiresAt,
        KubernetesVersion = e.KubernetesVersion, Health = ClusterHealth.Connected, HealthSince = e.RegisteredAt,
        RegisteredAt = e.RegisteredAt, RegisteredBy = e.RegisteredBy.Name,
    };

    public void Apply(ClusterCredentialsRotated e)
    {
        Server = e.Server;
        CredentialKind = e.CredentialKind;
        CredentialExpiresAt = e.CredentialExpiresAt;
        CredentialExpiryWarning = false;
    }

    public void Apply(ClusterDetailsChanged e) { Region = e.Region; Labels = new(e.Labels); }
    /// <summary>An unregistered cluster leaves the lists (its name can be used again); its stream stays for the audit.</summary>
    public bool ShouldDelete(ClusterUnregistered _) => true;
    public void Apply(ClusterBecameUnreachable e) => SetHealth(ClusterHealth.Unreachable, e.Error, e.Since);
    public void Apply(ClusterDegraded e) => SetHealth(ClusterHealth.Degraded, e.Reason, e.Since);
    public void Apply(ClusterRecovered e) => SetHealth(ClusterHealth.Connected, null, e.RecoveredAt);
    public void Apply(ClusterVersionChanged e) => KubernetesVersion = e.To;
    public void Apply(ClusterCredentialExpiryWarned _) => CredentialExpiryWarning = true;

    public void Apply(ClusterApiManagementEnabled e)
    {
        ClusterApiManagement = true;
        ClusterApiInfrastructures = [.. e.Infrastructures];
    }

    public void Apply(ClusterApiManagementDisabled _)
    {
        ClusterApiManagement = false;
        ClusterApiInfrastructures = [];
    }

    private void SetHealth(ClusterHealth health, string? detail, DateTimeOffset since)
    {
        Health = health;
        HealthDetail = detail;
        HealthSince = since;
    }
}
