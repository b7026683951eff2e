using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Releases;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Provisioning;
using Cocktail.Infrastructure.Kubernetes;
using Cocktail.Infrastructure.Provisioning;
using Marten;
using static Cocktail.Infrastructure.Provisioning.ObservationTranslator;

namespace Cocktail.Infrastructure.Releases;

/// <summary>
/// Flux on a registered cluster, over the cluster's cached client (one resilience pipeline and one bound on requests
/// in flight per cluster, <see cref="ClusterClientFactory"/>), in plain JSON: Flux's kinds are custom resources
/// KubernetesClient has no models for. Every answer is read with a bound; what went wrong is said in words that carry
/// neither a credential nor a raw exception (the API server's Status message, <see cref="ConnectionErrors"/>).
/// </summary>
public sealed class FluxGateway(ClusterClientFactory clients, IDocumentStore store, ICredentialVault vault, TimeProvider clock) : IFluxGateway
{
    public const string SourceGroup = "source.toolkit.fluxcd.io";
    public const string HelmGroup = "helm.toolkit.fluxcd.io";
    public const string FluxNamespace = "flux-system";
    private static readonly TimeSpan KindsLifetime = TimeSpan.FromSeconds(10);
    private const long CrdPageLimit = 48L * 1024 * 1024;

    /// <summary>The kinds Cocktail writes or Flux needs for them, and the version Cocktail writes them in.</summary>
    private static readonly (string Kind, string Group, string Version)[] FluxKinds =
    [
        ("HelmRepository", SourceGroup, "v1"), ("OCIRepository", SourceGroup, "v1"), ("HelmChart", SourceGroup, "v1"), ("HelmRelease", HelmGroup, "v2"),
    ];

    private static readonly string[] Controllers = ["source-controller", "helm-controller"];

    /// <summary>Built-in kinds an install manifest holds: (apiVersion, kind) → (plural, namespaced).</summary>
    private static readonly Dictionary<(string, string), (string Plural, bool Namespaced)> BuiltIn = new()
    {
        [("v1", "Namespace")] = ("namespaces", false), [("v1", "ServiceAccount")] = ("serviceaccounts", true),
        [("v1", "Service")] = ("services", true), [("v1", "ConfigMap")] = ("configmaps", true), [("v1", "Secret")] = ("secrets", true),
        [("v1", "ResourceQuota")] = ("resourcequotas", true), [("v1", "LimitRange")] = ("limitranges", true),
        [("apps/v1", "Deployment")] = ("deployments", true), [("apps/v1", "DaemonSet")] = ("daemonsets", true),
        [("apps/v1", "StatefulSet")] = ("statefulsets", true),
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = ("clusterroles", false),
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = ("clusterrolebindings", false),
        [("rbac.authorization.k8s.io/v1", "Role")] = ("roles", true), [("rbac.authorization.k8s.io/v1", "RoleBinding")] = ("rolebindings", true),
        [("apiextensions.k8s.io/v1", "CustomResourceDefinition")] = ("customresourcedefinitions", false),
        [("networking.k8s.io/v1", "NetworkPolicy")] = ("networkpolicies", true), [("networking.k8s.io/v1", "Ingress")] = ("ingresses", true),
        [("policy/v1", "PodDisruptionBudget")] = ("poddisruptionbudgets", true),
        [("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration")] = ("validatingwebhookconfigurations", false),
        [("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration")] = ("mutatingwebhookconfigurations", false),
    };

    private readonly ConcurrentDictionary<Guid, (ServedKinds Kinds, DateTimeOffset ReadAt)> _kinds = new();

    public async Task<(FluxPresence? Presence, FluxFailure? Failure)> DetectAsync(Guid clusterId, CancellationToken ct) =>
        await CallAsync(clusterId, async api =>
        {
            var kinds = await KindsAsync(clusterId, api, ct, fresh: true);
            var missing = FluxKinds.Where(k => kinds.Find(k.Kind, k.Group) is not { } served || !served.ServedVersions.Contains(k.Version))
                .Select(k => $"{k.Kind} ({k.Group}/{k.Version})").ToList();
            var controllers = new List<FluxController>();
            foreach (var name in Controllers)
            {
                var deployment = await api.GetAsync($"apis/apps/v1/namespaces/{FluxNamespace}/deployments/{name}", ct);
                var status = Child(deployment, "status");
                controllers.Add(new FluxController(name, deployment is not null, Number(status, "replicas"), Number(status, "readyReplicas")));
            }
            return new FluxPresence(missing, controllers);
        }, ct);

    public async Task<FluxFailure?> ApplyAsync(Guid clusterId, IReadOnlyList<JsonObject> objects, CancellationToken ct)
    {
        // Namespaces and CRDs first, as kubectl apply of an install manifest needs them: the rest may live in them or be of their kinds.
        var ordered = objects.OrderBy(o => o["kind"]?.GetValue<string>() switch { "Namespace" => 0, "CustomResourceDefinition" => 1, _ => 2 }).ToList();
        var (_, failure) = await CallAsync(clusterId, async api =>
        {
            var kinds = await KindsAsync(clusterId, api, ct);
            var crdsApplied = false;
            foreach (var obj in ordered)
            {
                var isCrd = obj["kind"]?.GetValue<string>() == "CustomResourceDefinition";
                if (!isCrd && crdsApplied)
                {
                    kinds = await KindsAsync(clusterId, api, ct, fresh: true); // the kinds just defined
                    crdsApplied = false;
                }
                var (path, problem) = PathOf(kinds, obj);
                if (problem is not null) return problem;
                try { await api.ApplyAsync(path!, obj, ct); }
                catch (ManagementRefusedException refused) when ((int)refused.Status < 500 && (int)refused.Status != 429)
                {
                    return new FluxFailure($"{Describe(obj)}: {refused.Message}", false);
                }
                crdsApplied |= isCrd;
            }
            return (FluxFailure?)null;
        }, ct);
        return failure;
    }

    public async Task<FluxFailure?> DeleteReleaseAsync(Guid clusterId, string @namespace, string name, CancellationToken ct)
    {
        var (_, failure) = await CallAsync(clusterId, async api =>
        {
            var kinds = await KindsAsync(clusterId, api, ct);
            if (kinds.Find("HelmRelease", HelmGroup) is { } release) await api.DeleteAsync(release.Path("v2", @namespace, name), ct);
            if (kinds.Find("HelmRepository", SourceGroup) is { } repository) await api.DeleteAsync(repository.Path("v1", @namespace, name), ct);
            return true;
        }, ct);
        return failure;
    }

    public async Task<(HelmReleaseObservation? Observation, FluxFailure? Failure)> ObserveAsync(Guid clusterId, string @namespace, string name, CancellationToken ct) =>
        await CallAsync(clusterId, async api =>
        {
            var found = await api.GetAsync($"apis/{HelmGroup}/v2/namespaces/{@namespace}/helmreleases/{Uri.EscapeDataString(name)}", ct);
            return found is { } item ? Translate(item) : HelmReleaseObservation.Gone;
        }, ct);

    public async Task<(IReadOnlyList<ObservedHelmRelease>? Releases, FluxFailure? Failure)> ListManagedAsync(Guid clusterId, CancellationToken ct) =>
        await CallAsync(clusterId, async api =>
        {
            var items = await api.ListAsync($"apis/{HelmGroup}/v2/helmreleases", ct, $"{FluxObjects.ManagedByLabel}=cocktail", pageSize: 500);
            var releases = new List<ObservedHelmRelease>();
            foreach (var item in items)
            {
                var metadata = Child(item, "metadata");
                if (!Guid.TryParse(Text(Child(metadata, "labels"), FluxObjects.ReleaseIdLabel), out var id)) continue;
                releases.Add(new ObservedHelmRelease(id, Text(metadata, "namespace") ?? "", Text(metadata, "name") ?? "",
                    Text(metadata, "resourceVersion") ?? "", Translate(item)));
            }
            return (IReadOnlyList<ObservedHelmRelease>)releases;
        }, ct);

    /// <summary>A HelmRelease's generation, conditions and <c>status.history</c> (helm-controller v2's Snapshots, newest first).</summary>
    internal static HelmReleaseObservation Translate(JsonElement item)
    {
        var metadata = Child(item, "metadata");
        var status = Child(item, "status");
        var conditions = new List<ObservedCondition>();
        if (Child(status, "conditions") is { ValueKind: JsonValueKind.Array } list)
            foreach (var c in list.EnumerateArray())
                if (Text(c, "type") is { } type)
                    conditions.Add(new ObservedCondition(type, Text(c, "status") ?? "Unknown", Text(c, "reason"),
                        ManagementApi.Clip(Text(c, "message") ?? "", 1000)));
        var history = new List<HelmHistoryEntry>();
        if (Child(status, "history") is { ValueKind: JsonValueKind.Array } snapshots)
            foreach (var s in snapshots.EnumerateArray().Take(20))
                history.Add(new HelmHistoryEntry(Number(s, "version"), Text(s, "chartVersion") ?? "", Text(s, "appVersion"),
                    Text(s, "status") ?? ""));
        return new HelmReleaseObservation(true, Number(metadata, "generation"), Number(status, "observedGeneration"), conditions, history);
    }

    private static int Number(JsonElement? element, string name) =>
        Child(element, name) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var v) ? (int)Math.Clamp(v, int.MinValue, int.MaxValue) : 0;

    private static (string? Path, FluxFailure? Problem) PathOf(ServedKinds kinds, JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.GetValue<string>() ?? "";
        var kind = obj["kind"]?.GetValue<string>() ?? "";
        var metadata = obj["metadata"] as JsonObject;
        var name = metadata?["name"]?.GetValue<string>() ?? "";
        var ns = metadata?["namespace"]?.GetValue<string>() ?? "default";
        if (name.Length == 0) return (null, new FluxFailure($"A {kind} has no metadata.name.", false, "manifest"));
        if (BuiltIn.TryGetValue((apiVersion, kind), out var builtIn))
        {
            var root = apiVersion.Contains('/', StringComparison.Ordinal) ? $"apis/{apiVersion}" : $"api/{apiVersion}";
            return ($"{root}/{(builtIn.Namespaced ? $"namespaces/{ns}/" : "")}{builtIn.Plural}/{Uri.EscapeDataString(name)}", null);
        }
        if (kinds.Find(apiVersion, kind, out var version) is { } served)
        {
            if (!served.ServedVersions.Contains(version))
                return (null, new FluxFailure($"{kind}/{name}: the cluster does not serve {apiVersion}.", false));
            return (served.Path(version, served.Namespaced ? ns : null, name), null);
        }
        var hint = apiVersion.StartsWith(SourceGroup, StringComparison.Ordinal) || apiVersion.StartsWith(HelmGroup, StringComparison.Ordinal)
            ? " Flux is not installed on it." : "";
        return (null, new FluxFailure($"{kind}/{name}: the cluster does not serve {apiVersion} {kind}.{hint}", false));
    }

    private static string Describe(JsonObject obj) => $"{obj["kind"]?.GetValue<string>()}/{(obj["metadata"] as JsonObject)?["name"]?.GetValue<string>()}";

    private async Task<ServedKinds> KindsAsync(Guid clusterId, ManagementApi api, CancellationToken ct, bool fresh = false)
    {
        var now = clock.GetUtcNow();
        if (!fresh && _kinds.TryGetValue(clusterId, out var cached) && now - cached.ReadAt < KindsLifetime) return cached.Kinds;
        var crds = await api.ListAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", ct, pageSize: 50, limit: CrdPageLimit);
        var kinds = ServedKinds.From(crds);
        _kinds[clusterId] = (kinds, now);
        return kinds;
    }

    private async Task<(T? Result, FluxFailure? Failure)> CallAsync<T>(Guid clusterId, Func<ManagementApi, Task<T>> work, CancellationToken ct)
    {
        ClusterConnection? connection;
        await using (var session = store.QuerySession())
        {
            var credential = await session.LoadAsync<ClusterCredential>(clusterId, ct);
            connection = credential is null ? null : vault.Unprotect(credential.Protected);
        }
        if (connection is null) return (default, new FluxFailure("The cluster is not registered in Cocktail.", false));
        try
        {
            using var lease = clients.Lease(connection);
            var result = await work(new ManagementApi(lease.Client, connection.Server));
            return result is FluxFailure failure ? (default, failure) : (result, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is not (ArgumentException or InvalidOperationException or NullReferenceException))
        {
            var failure = ManagementApi.Failure(e, connection.Server);
            return (default, new FluxFailure(failure.Message, failure.Unreachable));
        }
    }
}
