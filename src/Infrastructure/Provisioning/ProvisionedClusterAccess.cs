using System.Net;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Provisioning.Reconciling;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Cocktail.Infrastructure.Kubernetes.ClusterCalls;

namespace Cocktail.Infrastructure.Provisioning;

/// <summary>
/// Gives Cocktail a credential of its own in a cluster it provisioned: the ServiceAccount <c>kube-system/cocktail</c>
/// bound to <c>cluster-admin</c> (ClusterRoleBinding <c>cocktail</c>), and a token for it from the TokenRequest API
/// valid for a year (the API server may shorten it: <c>--service-account-max-token-expiration</c>). The admin
/// kubeconfig Cluster API wrote is used for these three calls only. A cluster that refuses them (a managed cloud
/// whose kubeconfig maps to a restricted identity) is registered with the kubeconfig's own credential instead, and
/// the reason is returned for the log.
/// </summary>
public sealed class ProvisionedClusterAccessor(IKubeconfigReader kubeconfigs) : IProvisionedClusterAccess
{
    public const string Name = "cocktail";
    public const string Namespace = "kube-system";
    public const long TokenSeconds = 365L * 24 * 3600;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public async Task<ProvisionedClusterAccess> EstablishAsync(string adminKubeconfig, CancellationToken ct)
    {
        var (admin, error, _) = kubeconfigs.Read(adminKubeconfig, null);
        if (admin is null) return new ProvisionedClusterAccess(null, null, $"Its kubeconfig cannot be used: {error}");
        try
        {
            using var client = ClusterClientFactory.CreateUncached(admin, Timeout, new KubernetesAnswersOnly());
            var token = await ServiceAccountTokenAsync(client, ct);
            return new ProvisionedClusterAccess(
                admin with { Token = token, ClientCertificateData = null, ClientKeyData = null }, null, null);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound
                                                   or HttpStatusCode.MethodNotAllowed or HttpStatusCode.BadRequest)
        {
            return new ProvisionedClusterAccess(admin, $"the cluster refused the service account ({(int)e.Response.StatusCode}: {StatusMessage(e)})", null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && (e is HttpOperationException || IsUnreachable(e)))
        {
            return new ProvisionedClusterAccess(null, null, ConnectionErrors.Describe(e, admin.Server).Message);
        }
    }

    private static async Task<string> ServiceAccountTokenAsync(IKubernetes client, CancellationToken ct)
    {
        var labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "cocktail" };
        await client.CoreV1.PatchNamespacedServiceAccountAsync(Apply(new V1ServiceAccount
        {
            ApiVersion = "v1", Kind = "ServiceAccount",
            Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = Namespace, Labels = labels },
        }), Name, Namespace, fieldManager: Name, force: true, cancellationToken: ct);
        await client.RbacAuthorizationV1.PatchClusterRoleBindingAsync(Apply(new V1ClusterRoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1", Kind = "ClusterRoleBinding",
            Metadata = new V1ObjectMeta { Name = Name, Labels = labels },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "cluster-admin" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = Name, NamespaceProperty = Namespace }],
        }), Name, fieldManager: Name, force: true, cancellationToken: ct);
        var request = await client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest
        {
            ApiVersion = "authentication.k8s.io/v1", Kind = "TokenRequest",
            Spec = new V1TokenRequestSpec { ExpirationSeconds = TokenSeconds, Audiences = [] },
        }, Name, Namespace, cancellationToken: ct);
        return request.Status?.Token is { Length: > 0 } token
            ? token
            : throw new HttpOperationException("The TokenRequest answer has no token.")
            {
                Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.BadRequest), ""),
            };
    }
}
