using System.Net;
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
public sealed class ServiceMapApplier : IServiceMapApplier
{
        private const string Manager = ServiceMapManifest.FieldManager;

    public async Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct) =>
        await ClusterCalls.GuardAsync(cluster, async client =>
        {
            var ns = ServiceMapObjects.Namespace(manifest);
            await client.CoreV1.PatchNamespaceAsync(Apply(ns), ns.Metadata.Name, fieldManager: Manager, force: true, cancellationToken: ct);
            var quota = ServiceMapObjects.Quota(manifest);
            await client.CoreV1.PatchNamespacedResourceQuotaAsync(Apply(quota), quota.Metadata.Name, manifest.Namespace, fieldManager: Manager, force: true, cancellationToken: ct);
            if (ServiceMapObjects.LimitRange(manifest) is { } limits)
                await client.CoreV1.PatchNamespacedLimitRangeAsync(Apply(limits), limits.Metadata.Name, manifest.Namespace, fieldManager: Manager, force: true, cancellationToken: ct);
            else
                await DeleteIfPresent(() => client.CoreV1.DeleteNamespacedLimitRangeAsync(ServiceMapManifest.LimitRangeName, manifest.Namespace, cancellationToken: ct));
            foreach (var binding in ServiceMapObjects.RoleBindings(manifest))
                await client.RbacAuthorizationV1.PatchNamespacedRoleBindingAsync(Apply(binding), binding.Metadata.Name, manifest.Namespace, fieldManager: Manager, force: true, cancellationToken: ct);
            var policy = ServiceMapObjects.NetworkPolicy(manifest);
            await client.NetworkingV1.PatchNamespacedNetworkPolicyAsync(Apply(policy), policy.Metadata.Name, manifest.Namespace, fieldManager: Manager, force: true, cancellationToken: ct);
            await ApplyAdmissionPoliciesAsync(client, manifest, ct);
            return new ApplyOutcome(ApplyResult.Applied);
        });

    /// <summary>The service map's security policy as admission policies; those its rules no longer need are deleted.</summary>
    private static async Task ApplyAdmissionPoliciesAsync(IKubernetes client, ServiceMapManifest manifest, CancellationToken ct)
    {
        var wanted = AdmissionPolicies.For(manifest);
        foreach (var (definition, binding) in wanted)
        {
            await client.AdmissionregistrationV1.PatchValidatingAdmissionPolicyAsync(Apply(definition), definition.Metadata.Name,
                fieldManager: Manager, force: true, cancellationToken: ct);
            await client.AdmissionregistrationV1.PatchValidatingAdmissionPolicyBindingAsync(Apply(binding), binding.Metadata.Name,
                fieldManager: Manager, force: true, cancellationToken: ct);
        }
        foreach (var name in AdmissionPolicies.AllNames(manifest).Except(wanted.Select(w => w.Definition.Metadata.Name)))
        {
            await DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyBindingAsync(name, cancellationToken: ct));
            await DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyAsync(name, cancellationToken: ct));
        }
    }

    public async Task<(IReadOnlyList<string> Findings, ApplyOutcome Outcome)> FindDriftAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct)
    {
        var findings = new List<string>();
        var outcome = await ClusterCalls.GuardAsync(cluster, async client =>
        {
            findings.AddRange(await new DriftInspector(client, manifest, ct).InspectAsync());
            return new ApplyOutcome(ApplyResult.Applied);
        });
        return (findings, outcome);
    }

    public Task<ApplyOutcome> CorrectDriftAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct) =>
        ClusterCalls.GuardAsync(cluster, async client =>
        {
            await new DriftInspector(client, manifest, ct).CorrectAsync();
            return new ApplyOutcome(ApplyResult.Applied);
        });

    public async Task<(NamespaceDeletion State, string? Message)> DeleteNamespaceAsync(ClusterConnection cluster, string ns, CancellationToken ct)
    {
        try
        {
            using var client = KubernetesClients.Create(cluster, ClusterCalls.Timeout);
            try
            {
                // Admission policies are cluster-scoped: they do not go with the namespace.
                foreach (var name in AdmissionPolicies.AllNames(ns))
                {
                    await DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyBindingAsync(name, cancellationToken: ct));
                    await DeleteIfPresent(() => client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyAsync(name, cancellationToken: ct));
                }
                await client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: ct);
                await client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct);
                return (NamespaceDeletion.Terminating, null);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return (NamespaceDeletion.Gone, null);
            }
        }
        catch (HttpOperationException e)
        {
            return (NamespaceDeletion.Refused, ClusterCalls.StatusMessage(e));
        }
        catch (Exception e) when (ClusterCalls.IsUnreachable(e))
        {
            return (NamespaceDeletion.Unreachable, e.GetBaseException().Message);
        }
    }

    public async Task<QuotaUsage?> ReadQuotaUsageAsync(ClusterConnection cluster, string ns, CancellationToken ct)
    {
        try
        {
            using var client = KubernetesClients.Create(cluster, TimeSpan.FromSeconds(5));
            var quota = await client.CoreV1.ReadNamespacedResourceQuotaAsync(ServiceMapManifest.QuotaName, ns, cancellationToken: ct);
            return new QuotaUsage(
                (quota.Status?.Hard ?? new Dictionary<string, ResourceQuantity>()).ToDictionary(h => h.Key, h => h.Value.ToString()),
                (quota.Status?.Used ?? new Dictionary<string, ResourceQuantity>()).ToDictionary(u => u.Key, u => u.Value.ToString()));
        }
        catch (Exception e) when (e is HttpOperationException || ClusterCalls.IsUnreachable(e))
        {
            return null;
        }
    }
}
