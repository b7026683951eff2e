using Cocktail.Application.Workspaces;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Application.ServiceMaps.Reconciling;

public sealed record RoleBindingSpec(string Name, string ClusterRole, IReadOnlyList<string> Users);

/// <summary>
/// What a service map must be on its cluster, independent of any client library: the Namespace with its labels,
/// a ResourceQuota, a LimitRange, RoleBindings for the members and a NetworkPolicy isolating the workspace.
/// </summary>
public sealed record ServiceMapManifest(
    string Namespace,
    IReadOnlyDictionary<string, string> NamespaceLabels,
    IReadOnlyDictionary<string, string> QuotaHard,
    DefaultLimits? DefaultLimits,
    IReadOnlyList<RoleBindingSpec> RoleBindings,
    string WorkspaceLabelValue,
    Guid ServiceMapId,
    SecurityPolicy Policy)
{
    public const string FieldManager = "cocktail";
    public const string WorkspaceLabel = "cocktail.io/workspace";
    public const string ServiceMapLabel = "cocktail.io/service-map";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    /// <summary>On a namespace whose service map's policy gates images: the cluster asks Cocktail before it admits a pod there.</summary>
    public const string ImageGateLabel = "cocktail.io/image-gate";
    public const string ImageGateEnforced = "enforced";
    public const string QuotaName = "cocktail-quota";
    public const string LimitRangeName = "cocktail-defaults";
    public const string NetworkPolicyName = "cocktail-workspace-isolation";

    /// <summary>The effective policy decides the Pod Security level (the stricter of the map's and the policy's) and the admission rules.</summary>
    /// <remarks>Deactivated members (<paramref name="inactiveMembers"/>) are bound to nothing: their access ends with their account.</remarks>
    public static ServiceMapManifest For(ServiceMapView map, WorkspaceView workspace, string userPrefix, SecurityPolicy effective,
        IReadOnlySet<Guid>? inactiveMembers = null)
    {
        // The assignment's ceiling holds on the cluster even for a map set looser before the ceiling existed or was lowered.
        var ceiling = workspace.Cluster(map.ClusterId)?.PodSecurityCeiling ?? PodSecurityLevel.Baseline;
        var level = PodSecurityBounds.Stricter(effective.PodSecurity ?? map.PodSecurity, ceiling).ToString().ToLowerInvariant();
        var labels = new Dictionary<string, string>
        {
            [WorkspaceLabel] = workspace.Id.ToString(),
            [ServiceMapLabel] = map.Id.ToString(),
            [ManagedByLabel] = "cocktail",
            ["pod-security.kubernetes.io/enforce"] = level,
            ["pod-security.kubernetes.io/enforce-version"] = "latest",
            ["pod-security.kubernetes.io/warn"] = level,
            ["pod-security.kubernetes.io/audit"] = level,
            // The cluster's image gate (a ValidatingWebhookConfiguration) selects namespaces by this label; "off" rather
            // than no label, so a map whose gate was turned off loses it on the next apply.
            [ImageGateLabel] = effective.ImageRules.Gates ? ImageGateEnforced : "off",
        };
        var hard = ResourceQuotaKeys.Hard(map.Quota);
        var bindings = new[]
        {
            Binding("cocktail-workspace-admins", WorkspaceRole.WorkspaceAdmin),
            Binding("cocktail-workspace-developers", WorkspaceRole.Developer),
            Binding("cocktail-workspace-viewers", WorkspaceRole.Viewer),
        };
        return new ServiceMapManifest(map.Namespace, labels, hard, map.DefaultLimits, bindings, workspace.Id.ToString(), map.Id, effective);

        RoleBindingSpec Binding(string name, WorkspaceRole role) =>
            new(name, ClusterRoleFor(role), workspace.Members.Where(m => m.Role == role && inactiveMembers?.Contains(m.UserId) != true).Select(m => userPrefix + m.UserName).Order().ToList());
    }

    /// <summary>The Kubernetes ClusterRole a workspace role is bound to in its service maps' namespaces.</summary>
    public static string ClusterRoleFor(WorkspaceRole role) => role switch
    {
        WorkspaceRole.WorkspaceAdmin => "admin",
        WorkspaceRole.Developer => "edit",
        _ => "view",
    };
}

/// <summary>The Kubernetes user name each Cocktail user has on the clusters (an OIDC username prefix).</summary>
public sealed class KubernetesIdentityOptions
{
    public const string Section = "Cocktail:Kubernetes";
    public string UserPrefix { get; set; } = "cocktail:";
}
