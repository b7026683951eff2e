using System.Net;
using Cocktail.Application.ServiceMaps.Reconciling;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cocktail.Infrastructure.Reconciling;

/// <summary>
/// Compares a service map's objects on the cluster with the manifest, field by field that Cocktail owns, and puts
/// back what differs by replacing the object's spec (server-side apply alone would keep fields someone else added).
/// </summary>
internal sealed class DriftInspector(IKubernetes client, ServiceMapManifest manifest, CancellationToken ct)
{
    private string Ns => manifest.Namespace;

    public async Task<IReadOnlyList<string>> InspectAsync()
    {
        var findings = new List<string>();
        var ns = await Read(() => client.CoreV1.ReadNamespaceAsync(Ns, cancellationToken: ct));
        if (ns is null) return [$"Namespace {Ns} is missing."];
        foreach (var (key, value) in manifest.NamespaceLabels)
            if (Get(ns.Metadata.Labels, key) != value)
                findings.Add($"Namespace {Ns}: label {key} is '{Get(ns.Metadata.Labels, key) ?? "(absent)"}', '{value}' wanted.");

        var quota = await Read(() => client.CoreV1.ReadNamespacedResourceQuotaAsync(ServiceMapManifest.QuotaName, Ns, cancellationToken: ct));
        if (quota is null) findings.Add($"ResourceQuota {ServiceMapManifest.QuotaName} is missing.");
        else findings.AddRange(QuotaFindings(quota));

        var wantedLimits = ServiceMapObjects.LimitRange(manifest);
        var limits = await Read(() => client.CoreV1.ReadNamespacedLimitRangeAsync(ServiceMapManifest.LimitRangeName, Ns, cancellationToken: ct));
        if (wantedLimits is not null && limits is null) findings.Add($"LimitRange {ServiceMapManifest.LimitRangeName} is missing.");
        else if (wantedLimits is not null && !SameLimits(limits!, wantedLimits)) findings.Add($"LimitRange {ServiceMapManifest.LimitRangeName}: defaults were changed.");

        foreach (var wanted in ServiceMapObjects.RoleBindings(manifest))
        {
            var binding = await Read(() => client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(wanted.Metadata.Name, Ns, cancellationToken: ct));
            if (binding is null) { findings.Add($"RoleBinding {wanted.Metadata.Name} is missing."); continue; }
            var actual = Subjects(binding);
            var expected = Subjects(wanted);
            if (binding.RoleRef.Name != wanted.RoleRef.Name)
                findings.Add($"RoleBinding {wanted.Metadata.Name}: binds ClusterRole {binding.RoleRef.Name}, {wanted.RoleRef.Name} wanted.");
            if (!actual.SequenceEqual(expected))
                findings.Add($"RoleBinding {wanted.Metadata.Name}: subjects [{string.Join(", ", actual)}] on the cluster, [{string.Join(", ", expected)}] wanted.");
        }

        var policy = await Read(() => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(ServiceMapManifest.NetworkPolicyName, Ns, cancellationToken: ct));
        if (policy is null) findings.Add($"NetworkPolicy {ServiceMapManifest.NetworkPolicyName} is missing.");
        else if (KubernetesJson.Serialize(policy.Spec) != KubernetesJson.Serialize(ServiceMapObjects.NetworkPolicy(manifest).Spec))
            findings.Add($"NetworkPolicy {ServiceMapManifest.NetworkPolicyName}: its rules were changed.");
        return findings;
    }

    public async Task CorrectAsync()
    {
        await client.CoreV1.PatchNamespaceAsync(new V1Patch(ServiceMapObjects.Namespace(manifest), V1Patch.PatchType.ApplyPatch), Ns,
            fieldManager: ServiceMapManifest.FieldManager, force: true, cancellationToken: ct);

        var wantedQuota = ServiceMapObjects.Quota(manifest);
        var quota = await Read(() => client.CoreV1.ReadNamespacedResourceQuotaAsync(wantedQuota.Metadata.Name, Ns, cancellationToken: ct));
        if (quota is null) await client.CoreV1.CreateNamespacedResourceQuotaAsync(wantedQuota, Ns, fieldManager: ServiceMapManifest.FieldManager, cancellationToken: ct);
        else
        {
            quota.Spec = wantedQuota.Spec;
            await client.CoreV1.ReplaceNamespacedResourceQuotaAsync(quota, quota.Metadata.Name, Ns, fieldManager: ServiceMapManifest.FieldManager, cancellationToken: ct);
        }

        if (ServiceMapObjects.LimitRange(manifest) is { } wantedLimits)
        {
            var limits = await Read(() => client.CoreV1.ReadNamespacedLimitRangeAsync(wantedLimits.Metadata.Name, Ns, cancellationToken: ct));
            if (limits is null) await client.CoreV1.CreateNamespacedLimitRangeAsync(wantedLimits, Ns, fieldManager: ServiceMapManifest.FieldManager, cancellationToken: ct);
            else
            {
                limits.Spec = wantedLimits.Spec;
                await client.CoreV1.ReplaceNamespacedLimitRangeAsync(limits, limits.Metadata.Name, Ns, fieldManager: ServiceMapManifest.FieldManager, cancellationToken: ct);
            }
        }

        foreach (var wanted in ServiceMapObjects.RoleBindings(manifest))
        {
            var binding = await Read(() => client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync(wanted.Metadata.Name, Ns, cancellationToken: ct));
            if (binding is not null && binding.RoleRef.Name != wanted.RoleRef.Name)
            {
                // roleRef cannot change: the binding is recreated.
                await client.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(wanted.Metadata.Name, Ns, cancellationToken: ct);
                binding = null;
            }
            if (binding is null) await client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(wanted, Ns, fieldManager: ServiceMapManifest.FieldManager, cancellationToken: ct);
            else
            {
                binding.Subjects = wanted.Subjects;
                await client.RbacAuthorizationV1.ReplaceNamespacedRoleBindingAsync(binding, binding.Metadata.Name, Ns, fieldManager: ServiceMapManifest.FieldManager, cancellationToken: ct);
            }
        }

        var wantedPolicy = ServiceMapObjects.NetworkPolicy(manifest);
        var policy = await Read(() => client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(wantedPolicy.Metadata.Name, Ns, cancellationToken: ct));
        if (policy is null) await client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(wantedPolicy, Ns, fieldManager: ServiceMapManifest.FieldManager, cancellationToken: ct);
        else
        {
            policy.Spec = wantedPolicy.Spec;
            await client.NetworkingV1.ReplaceNamespacedNetworkPolicyAsync(policy, policy.Metadata.Name, Ns, fieldManager: ServiceMapManifest.FieldManager, cancellationToken: ct);
        }
    }

    private IEnumerable<string> QuotaFindings(V1ResourceQuota quota)
    {
        var hard = quota.Spec?.Hard ?? new Dictionary<string, ResourceQuantity>();
        foreach (var (key, value) in manifest.QuotaHard)
            if (!ServiceMapObjects.SameQuantity(Get(hard, key), value))
                yield return $"ResourceQuota {ServiceMapManifest.QuotaName}: {key} is {Get(hard, key)?.ToString() ?? "(absent)"}, {value} wanted.";
        foreach (var extra in hard.Keys.Except(manifest.QuotaHard.Keys))
            yield return $"ResourceQuota {ServiceMapManifest.QuotaName}: {extra} was added by hand.";
    }

    private static bool SameLimits(V1LimitRange actual, V1LimitRange wanted) =>
        KubernetesJson.Serialize(actual.Spec?.Limits?.Select(Normalize)) == KubernetesJson.Serialize(wanted.Spec.Limits.Select(Normalize));

    private static object Normalize(V1LimitRangeItem item) => new
    {
        item.Type,
        Default = item.DefaultProperty?.OrderBy(d => d.Key).Select(d => $"{d.Key}={Canonical(d.Value)}").ToList(),
        Request = item.DefaultRequest?.OrderBy(d => d.Key).Select(d => $"{d.Key}={Canonical(d.Value)}").ToList(),
    };

    private static string Canonical(ResourceQuantity q) =>
        Domain.Common.Quantity.TryParse(q.ToString(), out var parsed) ? parsed.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : q.ToString();

    private static List<string> Subjects(V1RoleBinding binding) =>
        (binding.Subjects ?? []).Select(s => $"{s.Kind}:{s.Name}").Order().ToList();

    private static T? Get<T>(IDictionary<string, T>? values, string key) where T : class =>
        values is not null && values.TryGetValue(key, out var value) ? value : null;

    private static async Task<T?> Read<T>(Func<Task<T>> read) where T : class
    {
        try { return await read(); }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound) { return null; }
    }
}
