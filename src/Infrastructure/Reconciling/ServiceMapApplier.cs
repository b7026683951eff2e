using System.Net;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Infrastructure.Reconciling;

/// <summary>
/// Applies a service map with server-side apply (field manager "cocktail", forced: Cocktail owns these fields), finds
/// what was changed by hand, and puts it back. Every answer from the cluster is classified: it did not answer
/// (stay Pending and retry), or it refused (Failed, with the cluster's own message).
/// </summary>
public sealed class ServiceMapApplier : IServiceMapApplier
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private const string Manager = ServiceMapManifest.FieldManager;

    public async Task<ApplyOutcome> ApplyAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct) =>
        await GuardAsync(async client =>
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
            return new ApplyOutcome(ApplyResult.Applied);
        }, cluster);

    public async Task<(IReadOnlyList<string> Findings, ApplyOutcome Outcome)> FindDriftAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct)
    {
        var findings = new List<string>();
        var outcome = await GuardAsync(async client =>
        {
            findings.AddRange(await new DriftInspector(client, manifest, ct).InspectAsync());
            return new ApplyOutcome(ApplyResult.Applied);
        }, cluster);
        return (findings, outcome);
    }

    public Task<ApplyOutcome> CorrectDriftAsync(ClusterConnection cluster, ServiceMapManifest manifest, CancellationToken ct) =>
        GuardAsync(async client =>
        {
            await new DriftInspector(client, manifest, ct).CorrectAsync();
            return new ApplyOutcome(ApplyResult.Applied);
        }, cluster);

    public async Task<(NamespaceDeletion State, string? Message)> DeleteNamespaceAsync(ClusterConnection cluster, string ns, CancellationToken ct)
    {
        try
        {
            using var client = KubernetesClients.Create(cluster, Timeout);
            try
            {
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
            return (NamespaceDeletion.Refused, ClusterMessage(e));
        }
        catch (Exception e) when (IsUnreachable(e))
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
        catch (Exception e) when (e is HttpOperationException || IsUnreachable(e))
        {
            return null;
        }
    }

    private static V1Patch Apply(object body) => new(body, V1Patch.PatchType.ApplyPatch);

    private static async Task DeleteIfPresent(Func<Task> delete)
    {
        try { await delete(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { }
    }

    private static async Task<ApplyOutcome> GuardAsync(Func<IKubernetes, Task<ApplyOutcome>> work, ClusterConnection cluster)
    {
        try
        {
            using var client = KubernetesClients.Create(cluster, Timeout);
            return await work(client);
        }
        catch (HttpOperationException e) when ((int)e.Response.StatusCode >= 500 || e.Response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return new ApplyOutcome(ApplyResult.Unreachable, ClusterMessage(e));
        }
        catch (HttpOperationException e)
        {
            return new ApplyOutcome(ApplyResult.Refused, ClusterMessage(e));
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            return new ApplyOutcome(ApplyResult.Unreachable, e.GetBaseException().Message);
        }
    }

    private static bool IsUnreachable(Exception e) =>
        e is HttpRequestException or TaskCanceledException or TimeoutException or IOException ||
        e.InnerException is not null && IsUnreachable(e.InnerException);

    /// <summary>The Status message the API server sent (what kubectl would print).</summary>
    private static string ClusterMessage(HttpOperationException e)
    {
        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
            if (!string.IsNullOrEmpty(status?.Message)) return status.Message;
        }
        catch (System.Text.Json.JsonException) { }
        return $"{(int)e.Response.StatusCode} {e.Response.ReasonPhrase}";
    }
}
