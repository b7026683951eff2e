using System.Net;
using System.Runtime.ExceptionServices;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using static Cocktail.Infrastructure.Kubernetes.ClusterCalls;

namespace Cocktail.Infrastructure.Reconciling;

/// <summary>
/// Applies a service map with server-side apply (field manager "cocktail", forced: Cocktail owns these fields), finds
/// what was changed by hand, and puts it back. Every answer from the cluster is classified: it did not answer
/// (stay Pending and retry), or it refused (Failed, with the cluster's own message).
/// </summary>
public sealed class ServiceMapApplier(ClusterClientFactory clients) : IServiceMapApplier
{
    private const string Manager = ServiceMapManifest.FieldManager;
    private static readonly TimeSpan UsageTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The Namespace first (everything else lives in it or points at it), then the rest side by side: they do not
    /// depend on one another, and one round trip instead of six matters when the cluster is far away.
    /// </summary>
    public async Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct) =>
        await clients.GuardAsync(cluster, async client =>
        {
            var ns = ServiceMapObjects.Namespace(manifest);
            await client.CoreV1.PatchNamespaceAsync(Apply(ns), ns.Metadata.Name, fieldManager: Manager, force: true, cancellationToken: ct);
            var quota = ServiceMapObjects.Quota(manifest);
            var limits = ServiceMapObjects.LimitRange(manifest);
            var policy = ServiceMapObjects.NetworkPolicy(manifest);
            List<Task> writes =
            [
                client.CoreV1.PatchNamespacedResourceQuotaAsync(Apply(quota), quota.Metadata.Name, manifest.Namespace, fieldManager: Manager, force: true, cancellationToken: ct),
                limits is not null
                    ? client.CoreV1.PatchNamespacedLimitRangeAsync(Apply(limits), limits.Metadata.Name, manifest.Namespace, fieldManager: Manager, force: true, cancellationToken: ct)
                    : DeleteIfPresent(() => client.CoreV1.DeleteNamespacedLimitRangeAsync(ServiceMapManifest.LimitRangeName, manifest.Namespace, cancellationToken: ct)),
                client.NetworkingV1.PatchNamespacedNetworkPolicyAsync(Apply(policy), policy.Metadata.Name, manifest.Namespace, fieldManager: Manager, force: true, cancellationToken: ct),
                ApplyAdmissionPoliciesAsync(client, manifest, ct),
            ];
            writes.AddRange(ServiceMapObjects.RoleBindings(manifest).Select(binding =>
                client.RbacAuthorizationV1.PatchNamespacedRoleBindingAsync(Apply(binding), binding.Metadata.Name, manifest.Namespace, fieldManager: Manager, force: true, cancellationToken: ct)));
            await AllAsync(writes);
            return new ApplyOutcome(ApplyResult.Applied);
        });

    /// <summary>
    /// The service map's security policy as admission policies; those its rules no longer need are deleted. Each
    /// policy is written before its binding; the policies, and the deletions, go side by side.
    /// </summary>
    private static Task ApplyAdmissionPoliciesAsync(IKubernetes client, ServiceMapManifest manifest, CancellationToken ct)
    {
        var wanted = AdmissionPolicies.For(manifest);
        var applies = wanted.Select(async policy =>
        {
            var (definition, binding) = policy;
            await client.AdmissionregistrationV1.PatchValidatingAdmissionPolicyAsync(Apply(definition), definition.Metadata.Name,
                fieldManager: Manager, force: true, cancellationToken: ct);
            await client.AdmissionregistrationV1.PatchValidatingAdmissionPolicyBindingAsync(Apply(binding), binding.Metadata.Name,
                fieldManager: Manager, force: true, cancellationToken: ct);
        });
        var removals = AdmissionPolicies.AllNames(manifest).Except(wanted.Select(w => w.Definition.Metadata.Name))
            .SelectMany(name => new[]
            {
                DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyBindingAsync(name, cancellationToken: ct)),
                DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyAsync(name, cancellationToken: ct)),
            });
        return AllAsync(applies.Concat(removals).ToList());
    }

    public async Task<(IReadOnlyList<string> Findings, ApplyOutcome Outcome)> FindDriftAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct)
    {
        var findings = new List<string>();
        var outcome = await clients.GuardAsync(cluster, async client =>
        {
            findings.AddRange(await new DriftInspector(client, manifest, ct).InspectAsync());
            return new ApplyOutcome(ApplyResult.Applied);
        });
        return (findings, outcome);
    }

    public Task<ApplyOutcome> CorrectDriftAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct) =>
        clients.GuardAsync(cluster, async client =>
        {
            await new DriftInspector(client, manifest, ct).CorrectAsync();
            return new ApplyOutcome(ApplyResult.Applied);
        });

    public async Task<(NamespaceDeletion State, string? Message)> DeleteNamespaceAsync(ClusterConnection cluster, string ns, CancellationToken ct)
    {
        try
        {
            using var lease = clients.Lease(cluster);
            var client = lease.Client;
            try
            {
                // Admission policies are cluster-scoped: they do not go with the namespace.
                await AllAsync(AdmissionPolicies.AllNames(ns).SelectMany(name => new[]
                {
                    DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyBindingAsync(name, cancellationToken: ct)),
                    DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyAsync(name, cancellationToken: ct)),
                }).ToList());
                await client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: ct);
                await client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct);
                return (NamespaceDeletion.Terminating, null);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return (NamespaceDeletion.Gone, null);
            }
        }
        catch (Exception e) when (ClusterCalls.Classify(e) is { } outcome)
        {
            return (outcome.Result == ApplyResult.Unreachable ? NamespaceDeletion.Unreachable : NamespaceDeletion.Refused, outcome.Message);
        }
    }

    public async Task<QuotaUsage?> ReadQuotaUsageAsync(ClusterConnection cluster, string ns, CancellationToken ct)
    {
        try
        {
            using var lease = clients.Lease(cluster);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(UsageTimeout);
            var quota = await lease.Client.CoreV1.ReadNamespacedResourceQuotaAsync(ServiceMapManifest.QuotaName, ns, cancellationToken: timeout.Token);
            return new QuotaUsage(
                (quota.Status?.Hard ?? new Dictionary<string, ResourceQuantity>()).ToDictionary(h => h.Key, h => h.Value.ToString()),
                (quota.Status?.Used ?? new Dictionary<string, ResourceQuantity>()).ToDictionary(u => u.Key, u => u.Value.ToString()));
        }
        catch (Exception e) when (e is HttpOperationException || ClusterCalls.IsUnreachable(e))
        {
            return null;
        }
    }

    /// <summary>Writes that run side by side: all of them finish before the first failure is classified.</summary>
    private static async Task AllAsync(IReadOnlyList<Task> writes)
    {
        try
        {
            await Task.WhenAll(writes);
        }
        catch
        {
            // WhenAll rethrows the first failure in list order; the cluster's own refusal says more than a timeout.
            var failure = writes.Select(w => w.Exception?.InnerException).OfType<HttpOperationException>().FirstOrDefault()
                          ?? writes.Select(w => w.Exception?.InnerException).FirstOrDefault(e => e is not null);
            if (failure is not null) ExceptionDispatchInfo.Throw(failure);
            throw;
        }
    }
}
