namespace Cocktail.Domain.Tenancy;

public enum WorkspaceRole
{
    /// <summary>Manages the workspace's members, service maps and their quotas.</summary>
    WorkspaceAdmin,
    /// <summary>Creates and runs service maps within the workspace's quota; changes no quota and no member.</summary>
    Developer,
    /// <summary>Reads, changes nothing.</summary>
    Viewer,
}

public enum AssignmentMode
{
    /// <summary>The cluster belongs to this workspace alone.</summary>
    Dedicated,
    /// <summary>Several workspaces share the cluster, each within its own quota.</summary>
    Shared,
}

/// <summary>Kubernetes Pod Security Standards levels, enforced by the namespace's labels.</summary>
public enum PodSecurityLevel { Privileged, Baseline, Restricted }

public enum ServiceMapStatus
{
    /// <summary>Waiting for the cluster to match (also while the cluster is unreachable).</summary>
    Pending,
    Ready,
    /// <summary>The cluster refused the objects; the message says why.</summary>
    Failed,
    /// <summary>Deleted in Cocktail; the namespace is being deleted on the cluster.</summary>
    Deleting,
}

/// <summary>Container defaults a service map's LimitRange gives (limits, and requests when given).</summary>
public sealed record DefaultLimits(string? Cpu, string? Memory, string? RequestCpu = null, string? RequestMemory = null);
