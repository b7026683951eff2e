using System.Text.Json.Serialization;

namespace Cocktail.Domain.Access;

public enum AccessScope
{
    /// <summary>The whole cluster (ClusterRoleBinding).</summary>
    Cluster,
    /// <summary>One service map's namespace only (RoleBinding there).</summary>
    ServiceMap,
}

/// <summary>The built-in Kubernetes ClusterRoles a grant binds, named as Kubernetes names them.</summary>
public enum AccessRole
{
    [JsonStringEnumMemberName("view")] View,
    [JsonStringEnumMemberName("edit")] Edit,
    [JsonStringEnumMemberName("admin")] Admin,
    [JsonStringEnumMemberName("cluster-admin")] ClusterAdmin,
}

public enum GrantState
{
    /// <summary>Granted for later: nothing exists on the cluster before validFrom.</summary>
    Scheduled,
    /// <summary>Within its validity, being set up on the cluster.</summary>
    Activating,
    /// <summary>The ServiceAccount and its binding exist; kubeconfigs can be downloaded.</summary>
    Active,
    Revoked,
    Expired,
}

/// <summary>What a cluster answered when asked to set a grant up or take it off.</summary>
public enum GrantApplyResult
{
    Applied,
    /// <summary>The cluster said no (RBAC, admission): trying again soon will likely meet the same answer.</summary>
    Refused,
    /// <summary>The cluster did not answer: nothing is known to have changed there.</summary>
    Unreachable,
}

public static class AccessRoles
{
    public static string ClusterRoleName(this AccessRole role) => role switch
    {
        AccessRole.View => "view",
        AccessRole.Edit => "edit",
        AccessRole.Admin => "admin",
        AccessRole.ClusterAdmin => "cluster-admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };
}
