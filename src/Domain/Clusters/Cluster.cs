using Cocktail.Domain.Common;

namespace Cocktail.Domain.Clusters;

/// <summary>A registered cluster as its stream tells it. Health here is what was last recorded as a transition.</summary>
public sealed record Cluster(
    Guid Id, string Name, ClusterProvider Provider, ClusterHealth Health, string KubernetesVersion,
    DateTimeOffset? CredentialExpiresAt, bool ExpiryWarned, bool Unregistered)
{
    /// <summary>A Prometheus location is set (<see cref="Monitoring.ClusterMonitoringConfigured"/>).</summary>
    public bool MonitoringConfigured { get; init; }

    /// <summary>Cocktail may create clusters through this cluster's Cluster API (<see cref="Provisioning.ClusterApiManagementEnabled"/>).</summary>
    public bool ClusterApiManagement { get; init; }

    public static Decision Register(Guid id, string name, ClusterProvider provider, string? region,
        IReadOnlyDictionary<string, string> labels, string server, CredentialKind kind, DateTimeOffset? expiresAt,
        string version, int nodeCount, ActorRef by, DateTimeOffset at)
    {
        if (!DnsLabel.IsValid(name)) return DomainError.Invalid($"Cluster names use {DnsLabel.Rule}.", "name");
        if (expiresAt is { } expiry && expiry <= at)
            return DomainError.Invalid($"The credential expired at {expiry:u}; give a current one.", "credentials");
        return Decision.Accept(new ClusterRegistered(id, name, provider, region, labels, server, kind, expiresAt, version, nodeCount, by, at));
    }

    public Decision RotateCredentials(string server, CredentialKind kind, DateTimeOffset? expiresAt, ActorRef by, DateTimeOffset at)
    {
        if (Unregistered) return Gone();
        if (expiresAt is { } expiry && expiry <= at)
            return DomainError.Invalid($"The credential expired at {expiry:u}; give a current one.", "credentials");
        return Decision.Accept(new ClusterCredentialsRotated(Id, Name, server, kind, expiresAt, by, at));
    }

    public Decision ChangeDetails(string? region, IReadOnlyDictionary<string, string> labels, ActorRef by, DateTimeOffset at) =>
        Unregistered ? Gone() : Decision.Accept(new ClusterDetailsChanged(Id, Name, region, labels, by, at));

    /// <summary>Sets where the cluster's Prometheus is; the location must be whole (<see cref="Monitoring.PrometheusLocation.Check"/>).</summary>
    public Decision ConfigureMonitoring(Monitoring.PrometheusLocation location, ActorRef by, DateTimeOffset at)
    {
        if (Unregistered) return Gone();
        if (location.Check() is { } invalid) return invalid;
        return Decision.Accept(new Monitoring.ClusterMonitoringConfigured(Id, Name, location, by, at));
    }

    public Decision ClearMonitoring(ActorRef by, DateTimeOffset at) =>
        Unregistered ? Gone() : MonitoringConfigured ? Decision.Accept(new Monitoring.ClusterMonitoringCleared(Id, Name, by, at)) : Decision.Nothing;

    /// <summary>Marks the cluster as a Cluster API management cluster, with the infrastructures found installed on it.</summary>
    public Decision EnableClusterApi(IReadOnlyList<Provisioning.Infrastructure> installed, bool clusterClasses, ActorRef by, DateTimeOffset at)
    {
        if (Unregistered) return Gone();
        if (installed.Count == 0 && !clusterClasses)
            return DomainError.Invalid($"Cluster API with a supported infrastructure provider is not installed on '{Name}'.", "clusterId");
        return Decision.Accept(new Provisioning.ClusterApiManagementEnabled(Id, Name, installed, clusterClasses, by, at));
    }

    public Decision DisableClusterApi(ActorRef by, DateTimeOffset at, string? reason) =>
        Unregistered ? Gone() : ClusterApiManagement ? Decision.Accept(new Provisioning.ClusterApiManagementDisabled(Id, Name, by, at, RemovalReason.Optional(reason))) : Decision.Nothing;

    public Decision Unregister(string? reason, ActorRef by, DateTimeOffset at) =>
        Unregistered ? Decision.Nothing : Decision.Accept(new ClusterUnregistered(Id, Name, by, at, RemovalReason.Optional(reason)));

    /// <summary>
    /// What the inventory watcher sees: only a change of health or of version becomes an event. A version is only
    /// known while the API server answers, so a missing one changes nothing.
    /// </summary>
    public Decision Observe(ClusterHealth health, string? detail, string? version, DateTimeOffset at)
    {
        var events = ObserveHealth(health, detail, at).Events;
        if (version is not null) events = [.. events, .. ObserveVersion(version, at).Events];
        return events.Count == 0 ? Decision.Nothing : Decision.Accept([.. events]);
    }

    /// <summary>Only transitions are events; the same health observed again records nothing.</summary>
    public Decision ObserveHealth(ClusterHealth health, string? detail, DateTimeOffset at)
    {
        if (Unregistered || health == Health) return Decision.Nothing;
        return health switch
        {
            ClusterHealth.Unreachable => Decision.Accept(new ClusterBecameUnreachable(Id, Name, detail ?? "The API server does not answer.", at)),
            ClusterHealth.Degraded => Decision.Accept(new ClusterDegraded(Id, Name, detail ?? "Some watches are failing.", at)),
            _ => Decision.Accept(new ClusterRecovered(Id, Name, Health, at)),
        };
    }

    public Decision ObserveVersion(string version, DateTimeOffset at) =>
        Unregistered || version == KubernetesVersion || string.IsNullOrEmpty(version)
            ? Decision.Nothing
            : Decision.Accept(new ClusterVersionChanged(Id, Name, KubernetesVersion, version, at));

    /// <summary>Warns once per credential, <paramref name="warnBefore"/> ahead of its expiry.</summary>
    public Decision WarnIfCredentialExpiring(TimeSpan warnBefore, DateTimeOffset now)
    {
        if (Unregistered || ExpiryWarned || CredentialExpiresAt is not { } expiresAt || expiresAt - now > warnBefore)
            return Decision.Nothing;
        return Decision.Accept(new ClusterCredentialExpiryWarned(Id, Name, expiresAt, now));
    }

    private DomainError Gone() => DomainError.NotFound($"Cluster '{Name}' is unregistered.");

    public static Cluster Create(ClusterRegistered e) =>
        new(e.ClusterId, e.Name, e.Provider, ClusterHealth.Connected, e.KubernetesVersion, e.CredentialExpiresAt, false, false);

    public Cluster Apply(ClusterCredentialsRotated e) => this with { CredentialExpiresAt = e.CredentialExpiresAt, ExpiryWarned = false };
    public Cluster Apply(ClusterUnregistered _) => this with { Unregistered = true };
    public Cluster Apply(ClusterBecameUnreachable _) => this with { Health = ClusterHealth.Unreachable };
    public Cluster Apply(ClusterDegraded _) => this with { Health = ClusterHealth.Degraded };
    public Cluster Apply(ClusterRecovered _) => this with { Health = ClusterHealth.Connected };
    public Cluster Apply(ClusterVersionChanged e) => this with { KubernetesVersion = e.To };
    public Cluster Apply(ClusterCredentialExpiryWarned _) => this with { ExpiryWarned = true };
    public Cluster Apply(Monitoring.ClusterMonitoringConfigured _) => this with { MonitoringConfigured = true };
    public Cluster Apply(Monitoring.ClusterMonitoringCleared _) => this with { MonitoringConfigured = false };
    public Cluster Apply(Provisioning.ClusterApiManagementEnabled _) => this with { ClusterApiManagement = true };
    public Cluster Apply(Provisioning.ClusterApiManagementDisabled _) => this with { ClusterApiManagement = false };
}
