using System.Net;
using System.Text;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.PullSecrets;
using Cocktail.Application.PullSecrets.Reconciling;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Cocktail.Infrastructure.Kubernetes.ClusterCalls;

namespace Cocktail.Infrastructure.PullSecrets;

/// <summary>
/// A namespace's pull secrets with server-side apply (field manager "cocktail"), and its default ServiceAccount's
/// <c>imagePullSecrets</c>. That list has no merge key on a ServiceAccount (unlike a pod's), so applying it could
/// take over entries others added: it is read, changed in Cocktail's entries only, and replaced with the
/// resourceVersion read, again on a conflict.
/// </summary>
public sealed class PullSecretApplier(ClusterClientFactory clients) : IPullSecretApplier
{
    private const string Manager = ServiceMapManifest.FieldManager;
    private const string DefaultServiceAccount = "default";
    private const int ConflictTries = 5;

    public Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, string ns, IReadOnlyList<PullSecret> secrets, CancellationToken ct) =>
        clients.GuardAsync(cluster, async client =>
        {
            foreach (var secret in secrets)
                await client.CoreV1.PatchNamespacedSecretAsync(Apply(SecretFor(secret, ns)), secret.Name, ns, fieldManager: Manager, force: true, cancellationToken: ct);
            var wanted = secrets.Select(s => s.Name).ToHashSet();
            var present = await client.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: $"{PullSecretNames.Label}=true", cancellationToken: ct);
            foreach (var stale in present.Items.Where(s => !wanted.Contains(s.Metadata.Name)))
                await DeleteIfPresent(() => client.CoreV1.DeleteNamespacedSecretAsync(stale.Metadata.Name, ns, cancellationToken: ct));
            await NameInServiceAccountAsync(client, ns, secrets.Select(s => s.Name).ToList(), ct);
            return new ApplyOutcome(ApplyResult.Applied);
        });

    private static V1Secret SecretFor(PullSecret secret, string ns) => new()
    {
        ApiVersion = "v1", Kind = "Secret",
        Metadata = new V1ObjectMeta
        {
            Name = secret.Name, NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { [ServiceMapManifest.ManagedByLabel] = "cocktail", [PullSecretNames.Label] = "true" },
            Annotations = new Dictionary<string, string> { ["cocktail.io/registry"] = secret.Registry },
        },
        Type = "kubernetes.io/dockerconfigjson",
        Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes(secret.DockerConfigJson) },
    };

    /// <summary>Cocktail's entries after whatever else the ServiceAccount lists, in a stable order.</summary>
    private static async Task NameInServiceAccountAsync(IKubernetes client, string ns, IReadOnlyList<string> ours, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            V1ServiceAccount? account;
            try
            {
                account = await client.CoreV1.ReadNamespacedServiceAccountAsync(DefaultServiceAccount, ns, cancellationToken: ct);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                account = null; // the ServiceAccount controller has not made it yet: Cocktail does, as the controller would
            }
            var current = account?.ImagePullSecrets?.Select(r => r.Name).ToList() ?? [];
            var next = current.Where(n => !PullSecretNames.IsCocktails(n)).Concat(ours).ToList();
            if (account is not null && current.SequenceEqual(next)) return;
            try
            {
                if (account is null)
                {
                    await client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount
                    {
                        ApiVersion = "v1", Kind = "ServiceAccount", Metadata = new V1ObjectMeta { Name = DefaultServiceAccount, NamespaceProperty = ns },
                        ImagePullSecrets = next.Select(n => new V1LocalObjectReference { Name = n }).ToList(),
                    }, ns, fieldManager: Manager, cancellationToken: ct);
                }
                else
                {
                    account.ImagePullSecrets = next.Count == 0 ? null : next.Select(n => new V1LocalObjectReference { Name = n }).ToList();
                    await client.CoreV1.ReplaceNamespacedServiceAccountAsync(account, DefaultServiceAccount, ns, fieldManager: Manager, cancellationToken: ct);
                }
                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict && attempt < ConflictTries)
            {
                // Changed (or created) by someone else since it was read: read it again.
            }
        }
    }
}
