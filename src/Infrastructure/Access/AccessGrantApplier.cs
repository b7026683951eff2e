using System.Net;
using Cocktail.Application.AccessGrants;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Access;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Cocktail.Infrastructure.Kubernetes.ClusterCalls;

namespace Cocktail.Infrastructure.Access;

/// <summary>
/// A grant on its cluster: a ServiceAccount in `cocktail-access` and a ClusterRoleBinding (cluster scope) or a
/// RoleBinding in the service map's namespace, all with server-side apply. Removing deletes the ServiceAccount,
/// which invalidates every token the TokenRequest API issued for it.
/// </summary>
public sealed class AccessGrantApplier(ClusterClientFactory clients) : IAccessGrantApplier
{
    private const string Manager = ServiceMapManifest.FieldManager;
    private const string RbacGroup = "rbac.authorization.k8s.io";

    public Task<ApplyOutcome> EnsureAsync(ClusterConnection cluster, GrantManifest grant, CancellationToken ct) =>
        clients.GuardAsync(cluster, async client =>
        {
            var ns = new V1Namespace
            {
                ApiVersion = "v1", Kind = "Namespace",
                Metadata = new V1ObjectMeta { Name = AccessGrant.AccessNamespace, Labels = new Dictionary<string, string> { [ServiceMapManifest.ManagedByLabel] = "cocktail" } },
            };
            await client.CoreV1.PatchNamespaceAsync(Apply(ns), ns.Metadata.Name, fieldManager: Manager, force: true, cancellationToken: ct);
            var account = new V1ServiceAccount
            {
                ApiVersion = "v1", Kind = "ServiceAccount", Metadata = Meta(grant, AccessGrant.AccessNamespace, grant.ServiceAccount),
            };
            await client.CoreV1.PatchNamespacedServiceAccountAsync(Apply(account), grant.ServiceAccount, AccessGrant.AccessNamespace,
                fieldManager: Manager, force: true, cancellationToken: ct);

            var subject = new Rbacv1Subject { Kind = "ServiceAccount", Name = grant.ServiceAccount, NamespaceProperty = AccessGrant.AccessNamespace };
            var roleRef = new V1RoleRef { ApiGroup = RbacGroup, Kind = "ClusterRole", Name = grant.Role.ClusterRoleName() };
            if (grant.Scope == AccessScope.Cluster)
            {
                var binding = new V1ClusterRoleBinding
                {
                    ApiVersion = $"{RbacGroup}/v1", Kind = "ClusterRoleBinding", Metadata = Meta(grant, null, BindingName(grant)),
                    RoleRef = roleRef, Subjects = [subject],
                };
                await client.RbacAuthorizationV1.PatchClusterRoleBindingAsync(Apply(binding), binding.Metadata.Name, fieldManager: Manager, force: true, cancellationToken: ct);
            }
            else
            {
                var binding = new V1RoleBinding
                {
                    ApiVersion = $"{RbacGroup}/v1", Kind = "RoleBinding", Metadata = Meta(grant, grant.Namespace, BindingName(grant)),
                    RoleRef = roleRef, Subjects = [subject],
                };
                await client.RbacAuthorizationV1.PatchNamespacedRoleBindingAsync(Apply(binding), binding.Metadata.Name, grant.Namespace!,
                    fieldManager: Manager, force: true, cancellationToken: ct);
            }
            return new ApplyOutcome(ApplyResult.Applied);
        });

    public Task<ApplyOutcome> RemoveAsync(ClusterConnection cluster, GrantManifest grant, CancellationToken ct) =>
        clients.GuardAsync(cluster, async client =>
        {
            // The account first: once it is gone, no token of it authenticates, whatever happens to the binding.
            await DeleteIfPresent(() => client.CoreV1.DeleteNamespacedServiceAccountAsync(grant.ServiceAccount, AccessGrant.AccessNamespace, cancellationToken: ct));
            if (grant.Scope == AccessScope.Cluster)
                await DeleteIfPresent(() => client.RbacAuthorizationV1.DeleteClusterRoleBindingAsync(BindingName(grant), cancellationToken: ct));
            else
                await DeleteIfPresent(() => client.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(BindingName(grant), grant.Namespace!, cancellationToken: ct));
            return new ApplyOutcome(ApplyResult.Applied);
        });

    public async Task<(IssuedToken? Token, ApplyOutcome Outcome)> RequestTokenAsync(ClusterConnection cluster, GrantManifest grant, TimeSpan lifetime,
        CancellationToken ct)
    {
        IssuedToken? token = null;
        var outcome = await clients.GuardAsync(cluster, async client =>
        {
            var request = new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = (long)lifetime.TotalSeconds, Audiences = [] } };
            var issued = await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, grant.ServiceAccount, AccessGrant.AccessNamespace, cancellationToken: ct);
            var expires = issued.Status.ExpirationTimestamp is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : DateTimeOffset.UtcNow + lifetime;
            token = new IssuedToken(issued.Status.Token, expires);
            return new ApplyOutcome(ApplyResult.Applied);
        });
        return (token, outcome);
    }

    public static string BindingName(GrantManifest grant) => "cocktail-" + grant.ServiceAccount;

    private static V1ObjectMeta Meta(GrantManifest grant, string? ns, string name) => new()
    {
        Name = name, NamespaceProperty = ns,
        Labels = new Dictionary<string, string>
        {
            [ServiceMapManifest.ManagedByLabel] = "cocktail",
            ["cocktail.io/grant"] = grant.GrantId.ToString(),
        },
        Annotations = new Dictionary<string, string> { ["cocktail.io/user"] = grant.UserName },
    };
}
