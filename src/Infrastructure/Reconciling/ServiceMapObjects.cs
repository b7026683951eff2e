using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Tenancy;
using k8s.Models;

namespace Cocktail.Infrastructure.Reconciling;

/// <summary>The Kubernetes objects of a service map's manifest, as KubernetesClient models.</summary>
internal static class ServiceMapObjects
{
    private const string RbacGroup = "rbac.authorization.k8s.io";

    public static V1Namespace Namespace(ServiceMapManifest m) => new()
    {
        ApiVersion = "v1", Kind = "Namespace",
        Metadata = new V1ObjectMeta { Name = m.Namespace, Labels = new Dictionary<string, string>(m.NamespaceLabels) },
    };

    public static V1ResourceQuota Quota(ServiceMapManifest m) => new()
    {
        ApiVersion = "v1", Kind = "ResourceQuota",
        Metadata = Meta(ServiceMapManifest.QuotaName, m),
        Spec = new V1ResourceQuotaSpec { Hard = m.QuotaHard.ToDictionary(h => h.Key, h => new ResourceQuantity(h.Value)) },
    };

    public static V1LimitRange? LimitRange(ServiceMapManifest m)
    {
        if (m.DefaultLimits is not { } limits) return null;
        var defaults = Quantities(("cpu", limits.Cpu), ("memory", limits.Memory));
        var requests = Quantities(("cpu", limits.RequestCpu), ("memory", limits.RequestMemory));
        return new V1LimitRange
        {
            ApiVersion = "v1", Kind = "LimitRange",
            Metadata = Meta(ServiceMapManifest.LimitRangeName, m),
            Spec = new V1LimitRangeSpec
            {
                Limits = [new V1LimitRangeItem { Type = "Container", DefaultProperty = defaults.Count > 0 ? defaults : null, DefaultRequest = requests.Count > 0 ? requests : null }],
            },
        };
    }

    public static IEnumerable<V1RoleBinding> RoleBindings(ServiceMapManifest m) => m.RoleBindings.Select(b => new V1RoleBinding
    {
        ApiVersion = $"{RbacGroup}/v1", Kind = "RoleBinding",
        Metadata = Meta(b.Name, m),
        RoleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = "ClusterRole", Name = b.ClusterRole },
        Subjects = b.Users.Select(u => new Rbacv1Subject { ApiGroup = RbacGroup, Kind = "User", Name = u }).ToList(),
    });

    /// <summary>
    /// Ingress only from this workspace's namespaces and from namespaces no workspace owns (ingress controllers,
    /// monitoring): other workspaces' namespaces are denied.
    /// </summary>
    public static V1NetworkPolicy NetworkPolicy(ServiceMapManifest m) => new()
    {
        ApiVersion = "networking.k8s.io/v1", Kind = "NetworkPolicy",
        Metadata = Meta(ServiceMapManifest.NetworkPolicyName, m),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector(),
            PolicyTypes = ["Ingress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [ServiceMapManifest.WorkspaceLabel] = m.WorkspaceLabelValue } } },
                        new V1NetworkPolicyPeer { NamespaceSelector = new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = ServiceMapManifest.WorkspaceLabel, OperatorProperty = "DoesNotExist" }] } },
                    ],
                },
            ],
        },
    };

    private static V1ObjectMeta Meta(string name, ServiceMapManifest m) => new()
    {
        Name = name, NamespaceProperty = m.Namespace,
        Labels = new Dictionary<string, string> { [ServiceMapManifest.ManagedByLabel] = "cocktail" },
    };

    private static Dictionary<string, ResourceQuantity> Quantities(params (string Name, string? Value)[] values) =>
        values.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => new ResourceQuantity(v.Value));

    public static bool SameQuantity(ResourceQuantity? a, string? b)
    {
        if (a is null || b is null) return a is null && b is null;
        return Domain.Common.Quantity.TryParse(a.ToString(), out var x) && Domain.Common.Quantity.TryParse(b, out var y) && x == y;
    }
}
