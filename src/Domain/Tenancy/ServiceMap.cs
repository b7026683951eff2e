using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

/// <summary>A namespace owned by a workspace. Its quota lives in the cluster's allocation; here: settings and lifecycle.</summary>
public sealed record ServiceMap(
    Guid Id, string Name, Guid WorkspaceId, Guid ClusterId, string Namespace, DefaultLimits? DefaultLimits,
    PodSecurityLevel PodSecurity, bool Deleting)
{
    public static Decision Create(Guid id, string name, Guid workspaceId, string workspaceName, Guid clusterId, string clusterName,
        string ns, Quota quota, DefaultLimits? limits, PodSecurityLevel? podSecurity, PodSecurityBounds bounds, ActorRef by, DateTimeOffset at)
    {
        var level = podSecurity ?? bounds.Default;
        if (bounds.Check(level) is { } refused) return refused;
        if (!DnsLabel.IsValid(ns)) return DomainError.Invalid($"Namespaces use {DnsLabel.Rule}.", "namespace");
        if (ReservedNamespaces.Contains(ns) || ns.StartsWith("kube-", StringComparison.Ordinal))
            return DomainError.Invalid($"Namespace '{ns}' is reserved for the cluster itself.", "namespace");
        return Decision.Accept(new ServiceMapCreated(id, name.Trim(), workspaceId, workspaceName, clusterId, clusterName, ns, quota,
            limits, level, by, at));
    }

    public static readonly IReadOnlySet<string> ReservedNamespaces = new HashSet<string>
    {
        "default", "kube-system", "kube-public", "kube-node-lease", "cocktail-access", "cocktail-system",
    };

    /// <summary>A new Pod Security level must lie within the bounds; a level kept as it is stays even if the bounds moved since.</summary>
    public Decision ChangeSettings(string name, DefaultLimits? limits, PodSecurityLevel podSecurity, PodSecurityBounds bounds, ActorRef by, DateTimeOffset at)
    {
        if (Deleting) return DomainError.Conflict("The service map is being deleted.");
        if (podSecurity != PodSecurity && bounds.Check(podSecurity) is { } refused) return refused;
        if (name.Trim() == Name && limits == DefaultLimits && podSecurity == PodSecurity) return Decision.Nothing;
        return Decision.Accept(new ServiceMapSettingsChanged(Id, name.Trim(), limits, podSecurity, by, at));
    }

    /// <summary>
    /// A platform admin lowered the assignment's ceiling (or the cluster stopped being dedicated): a looser level
    /// comes down to it, recorded as a settings change by that admin.
    /// </summary>
    public Decision HoldToCeiling(PodSecurityLevel ceiling, ActorRef by, DateTimeOffset at) =>
        Deleting || PodSecurityBounds.Rank(PodSecurity) >= PodSecurityBounds.Rank(ceiling)
            ? Decision.Nothing
            : Decision.Accept(new ServiceMapSettingsChanged(Id, Name, DefaultLimits, ceiling, by, at));

    /// <summary>Deleting removes the namespace and all it holds, so the caller must type the namespace to confirm.</summary>
    public Decision RequestDeletion(string confirmation, ActorRef by, DateTimeOffset at)
    {
        if (Deleting) return Decision.Nothing;
        if (confirmation != Namespace)
            return DomainError.Invalid($"Type the namespace ('{Namespace}') to confirm: its namespace and everything in it are deleted.", "confirm");
        return Decision.Accept(new ServiceMapDeletionRequested(Id, Name, WorkspaceId, ClusterId, Namespace, by, at));
    }

    public static ServiceMap Create(ServiceMapCreated e) =>
        new(e.ServiceMapId, e.Name, e.WorkspaceId, e.ClusterId, e.Namespace, e.DefaultLimits, e.PodSecurity, false);

    public ServiceMap Apply(ServiceMapSettingsChanged e) => this with { Name = e.Name, DefaultLimits = e.DefaultLimits, PodSecurity = e.PodSecurity };
    public ServiceMap Apply(ServiceMapDeletionRequested _) => this with { Deleting = true };
}
