using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Provisioning;
using Cocktail.Domain.Provisioning;
using Cocktail.Infrastructure.Kubernetes;
using Marten;
using static Cocktail.Infrastructure.Provisioning.ObservationTranslator;

namespace Cocktail.Infrastructure.Provisioning;

/// <summary>
/// Cluster API on a registered management cluster, over the cluster's cached client (one resilience pipeline and one
/// bound on requests in flight per cluster, <see cref="ClusterClientFactory"/>). It reads and writes plain JSON of the
/// kinds the management cluster's CRDs declare (found in <c>apiextensions.k8s.io/v1</c>, so the versions served there
/// are the ones used), reads every answer with a bound, and says what went wrong in words that carry neither a
/// credential nor a raw exception (<see cref="ConnectionErrors"/>, the API server's Status message).
/// </summary>
public sealed class ClusterApiGateway(ClusterClientFactory clients, IDocumentStore store, ICredentialVault vault, TimeProvider clock) : IClusterApiGateway
{
    public const string ClusterGroup = "cluster.x-k8s.io";
    public const string PreferredVersion = "v1beta2";
    /// <summary>A kubeconfig is a few KiB; one larger than this is refused rather than read.</summary>
    public const int MaxKubeconfigBytes = 1024 * 1024;
    private static readonly TimeSpan KindsLifetime = TimeSpan.FromSeconds(30);
    private const long CrdPageLimit = 48L * 1024 * 1024;
    private const long SecretLimit = MaxKubeconfigBytes * 2L; // base64 of the value, and the Secret around it

    private readonly ConcurrentDictionary<Guid, (ServedKinds Kinds, DateTimeOffset ReadAt)> _kinds = new();

    public async Task<(ManagementDiscovery? Discovery, ManagementFailure? Failure)> DiscoverAsync(Guid managementClusterId, CancellationToken ct)
    {
        var (result, failure) = await CallAsync(managementClusterId, async api =>
        {
            var kinds = await KindsAsync(managementClusterId, api, ct, fresh: true);
            var classes = new List<ClusterClassInfo>();
            if (kinds.Find("ClusterClass", ClusterGroup) is { } classKind)
                foreach (var item in await api.ListAsync(classKind.Path(classKind.Version(PreferredVersion), null), ct))
                    classes.Add(ClassInfo(item));
            return new ManagementDiscovery(
                kinds.ByKey.Keys.ToHashSet(StringComparer.Ordinal),
                kinds.ByKey.ToDictionary(k => k.Key, k => k.Value.StorageVersion, StringComparer.Ordinal),
                classes);
        }, ct);
        return (result, failure);
    }

    public async Task<IReadOnlyDictionary<(string ApiVersion, string Kind), JsonElement>> ReadSchemasAsync(
        Guid managementClusterId, IReadOnlyCollection<(string ApiVersion, string Kind)> kinds, CancellationToken ct)
    {
        var (schemas, _) = await CallAsync(managementClusterId, async api =>
        {
            var served = await KindsAsync(managementClusterId, api, ct);
            var found = new Dictionary<(string, string), JsonElement>();
            var crds = new Dictionary<string, JsonElement?>(StringComparer.Ordinal);
            foreach (var (apiVersion, kind) in kinds.Distinct())
            {
                if (served.Find(apiVersion, kind, out var version) is not { } crdKind) continue;
                if (!crds.TryGetValue(crdKind.CrdName, out var crd))
                    crds[crdKind.CrdName] = crd = await api.GetAsync($"apis/apiextensions.k8s.io/v1/customresourcedefinitions/{crdKind.CrdName}", ct, CrdPageLimit);
                if (Child(crd, "spec") is { } spec && Child(spec, "versions") is { ValueKind: JsonValueKind.Array } versions)
                    foreach (var v in versions.EnumerateArray())
                        if (Text(v, "name") == version && Child(Child(v, "schema"), "openAPIV3Schema") is { } schema)
                            found[(apiVersion, kind)] = schema;
            }
            return (IReadOnlyDictionary<(string, string), JsonElement>)found;
        }, ct);
        return schemas ?? new Dictionary<(string, string), JsonElement>();
    }

    public async Task<ManagementFailure?> ApplyAsync(Guid managementClusterId, IReadOnlyList<JsonObject> objects, CancellationToken ct)
    {
        var (_, failure) = await CallAsync(managementClusterId, async api =>
        {
            var kinds = await KindsAsync(managementClusterId, api, ct);
            foreach (var obj in objects)
            {
                var (path, problem) = PathOf(kinds, obj);
                if (problem is not null) return problem;
                try { await api.ApplyAsync(path!, obj, ct); }
                catch (ManagementRefusedException refused) when ((int)refused.Status < 500)
                {
                    return new ManagementFailure($"{Describe(obj)}: {refused.Message}", false, "objects");
                }
            }
            return (ManagementFailure?)null;
        }, ct);
        return failure;
    }

    public async Task<ManagementFailure?> DeleteObjectsAsync(Guid managementClusterId, IReadOnlyList<JsonObject> objects, CancellationToken ct)
    {
        var (_, failure) = await CallAsync(managementClusterId, async api =>
        {
            var kinds = await KindsAsync(managementClusterId, api, ct);
            foreach (var obj in objects)
            {
                var (path, problem) = PathOf(kinds, obj);
                if (problem is not null) continue; // a kind no longer served has nothing left to delete
                await api.DeleteAsync(path!, ct);
            }
            return true;
        }, ct);
        return failure;
    }

    public async Task<ManagementFailure?> DeleteClusterAsync(Guid managementClusterId, string @namespace, string name, CancellationToken ct)
    {
        var (_, failure) = await CallAsync(managementClusterId, async api =>
        {
            var kinds = await KindsAsync(managementClusterId, api, ct);
            if (kinds.Find("Cluster", ClusterGroup) is not { } kind) return true;
            await api.DeleteAsync(kind.Path(kind.Version(PreferredVersion), @namespace, name), ct);
            return true;
        }, ct);
        return failure;
    }

    public async Task<(ProvisioningObservation? Observation, ManagementFailure? Failure)> ObserveAsync(
        Guid managementClusterId, ClusterBlueprint desired, CancellationToken ct) =>
        await CallAsync(managementClusterId, async api =>
        {
            var kinds = await KindsAsync(managementClusterId, api, ct);
            if (kinds.Find("Cluster", ClusterGroup) is not { } clusterKind) return ProvisioningObservation.Gone;
            var cluster = await api.GetAsync(clusterKind.Path(clusterKind.Version(PreferredVersion), desired.Namespace, desired.Name), ct);
            if (cluster is not { } found) return ProvisioningObservation.Gone;
            var spec = Child(found, "spec");
            var controlPlane = await ReferencedAsync(api, kinds, Child(spec, "controlPlaneRef"), desired.Namespace, ct);
            var infrastructure = await ReferencedAsync(api, kinds, Child(spec, "infrastructureRef"), desired.Namespace, ct);
            var selector = $"{ClusterNameLabel}={desired.Name}";
            var deployments = await ListOfAsync(api, kinds, "MachineDeployment", desired.Namespace, selector, ct);
            var pools = await ListOfAsync(api, kinds, "MachinePool", desired.Namespace, selector, ct);
            var machines = await ListOfAsync(api, kinds, "Machine", desired.Namespace, selector, ct);
            var managed = InfrastructureCatalog.Get(desired.Infrastructure).ManagedControlPlane;
            return Translate(new ClusterApiObjects(found, controlPlane, infrastructure, deployments, pools, machines), desired, managed);
        }, ct);

    public async Task<IReadOnlyList<MachineInfo>> MachinesAsync(Guid managementClusterId, string @namespace, string name, CancellationToken ct)
    {
        var (machines, _) = await CallAsync(managementClusterId, async api =>
        {
            var kinds = await KindsAsync(managementClusterId, api, ct);
            var items = await ListOfAsync(api, kinds, "Machine", @namespace, $"{ClusterNameLabel}={name}", ct);
            return (IReadOnlyList<MachineInfo>)[.. items.Select(m => Machine(m, null)).OrderBy(m => !m.ControlPlane).ThenBy(m => m.Pool).ThenBy(m => m.Name)];
        }, ct);
        return machines ?? [];
    }

    public async Task<IReadOnlyList<ManagementEvent>> EventsAsync(Guid managementClusterId, string @namespace, string name, CancellationToken ct)
    {
        var (events, _) = await CallAsync(managementClusterId, async api =>
        {
            var items = await api.ListAsync($"api/v1/namespaces/{@namespace}/events", ct, pageSize: 500);
            return (IReadOnlyList<ManagementEvent>)[.. items.Select(ToEvent)
                .Where(e => e is not null && (e.ObjectName == name || e.ObjectName.StartsWith(name + "-", StringComparison.Ordinal)))
                .Select(e => e!)
                .OrderByDescending(e => e.LastSeen).Take(200)];
        }, ct);
        return events ?? [];
    }

    public async Task<string?> ReadKubeconfigAsync(Guid managementClusterId, string @namespace, string name, CancellationToken ct)
    {
        var (kubeconfig, _) = await CallAsync(managementClusterId, async api =>
        {
            var secret = await api.GetAsync($"api/v1/namespaces/{@namespace}/secrets/{Uri.EscapeDataString(name + "-kubeconfig")}", ct, SecretLimit);
            if (Text(Child(secret, "data"), "value") is not { } encoded) return null;
            if (encoded.Length > MaxKubeconfigBytes / 3 * 4 + 4) return null; // larger than any kubeconfig: refused, never decoded
            try
            {
                var bytes = Convert.FromBase64String(encoded);
                return bytes.Length > MaxKubeconfigBytes ? null : Encoding.UTF8.GetString(bytes);
            }
            catch (FormatException)
            {
                return null;
            }
        }, ct);
        return kubeconfig;
    }

    /// <summary>The management cluster's connection, from the credential vault; null when it is not (or no longer) registered.</summary>
    internal async Task<ClusterConnection?> ConnectionAsync(Guid clusterId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var credential = await session.LoadAsync<ClusterCredential>(clusterId, ct);
        return credential is null ? null : vault.Unprotect(credential.Protected);
    }

    /// <summary>Runs calls against the management cluster; what went wrong becomes a <see cref="ManagementFailure"/>.</summary>
    private async Task<(T? Result, ManagementFailure? Failure)> CallAsync<T>(Guid clusterId, Func<ManagementApi, Task<T>> work, CancellationToken ct)
    {
        var connection = await ConnectionAsync(clusterId, ct);
        if (connection is null) return (default, new ManagementFailure("The management cluster is not registered in Cocktail.", false));
        try
        {
            using var lease = clients.Lease(connection);
            var result = await work(new ManagementApi(lease.Client, connection.Server));
            return result is ManagementFailure failure ? (default, failure) : (result, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is not (ArgumentException or InvalidOperationException or NullReferenceException))
        {
            return (default, ManagementApi.Failure(e, connection.Server));
        }
    }

    internal async Task<ServedKinds> KindsAsync(Guid clusterId, ManagementApi api, CancellationToken ct, bool fresh = false)
    {
        var now = clock.GetUtcNow();
        if (!fresh && _kinds.TryGetValue(clusterId, out var cached) && now - cached.ReadAt < KindsLifetime) return cached.Kinds;
        var crds = await api.ListAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", ct, pageSize: 50, limit: CrdPageLimit);
        var kinds = ServedKinds.From(crds);
        _kinds[clusterId] = (kinds, now);
        return kinds;
    }

    private static async Task<List<JsonElement>> ListOfAsync(ManagementApi api, ServedKinds kinds, string kind, string ns, string selector, CancellationToken ct) =>
        kinds.Find(kind, ClusterGroup) is { } served ? await api.ListAsync(served.Path(served.Version(PreferredVersion), ns), ct, selector) : [];

    /// <summary>
    /// The object a Cluster points to: a v1beta2 <c>ContractVersionedObjectReference</c> (<c>apiGroup</c>, <c>kind</c>,
    /// <c>name</c>, same namespace), or a v1beta1 <c>ObjectReference</c> with its <c>apiVersion</c>.
    /// </summary>
    private static async Task<JsonElement?> ReferencedAsync(ManagementApi api, ServedKinds kinds, JsonElement? reference, string ns, CancellationToken ct)
    {
        var kind = Text(reference, "kind");
        var name = Text(reference, "name");
        var group = Text(reference, "apiGroup") ?? Text(reference, "apiVersion")?.Split('/')[0];
        if (kind is null || name is null || group is null || kinds.Find(kind, group) is not { } served) return null;
        return await api.GetAsync(served.Path(served.StorageVersion, Text(reference, "namespace") ?? ns, name), ct);
    }

    private static (string? Path, ManagementFailure? Problem) PathOf(ServedKinds kinds, JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]?.GetValue<string>() ?? "";
        var kind = obj["kind"]?.GetValue<string>() ?? "";
        var metadata = obj["metadata"] as JsonObject;
        var name = metadata?["name"]?.GetValue<string>() ?? "";
        var ns = metadata?["namespace"]?.GetValue<string>();
        if (kinds.Find(apiVersion, kind, out var version) is { } served)
        {
            if (!served.ServedVersions.Contains(version))
                return (null, new ManagementFailure($"{kind}/{name}: the management cluster does not serve {apiVersion}.", false, "objects"));
            return (served.Path(version, ns ?? "default", name), null);
        }
        if (apiVersion == "v1" && CorePlural(kind) is { } plural)
            return ($"api/v1/namespaces/{ns ?? "default"}/{plural}/{Uri.EscapeDataString(name)}", null);
        return (null, new ManagementFailure($"{kind}/{name}: the management cluster does not serve {apiVersion} {kind}.", false, "objects"));
    }

    private static string? CorePlural(string kind) => kind switch
    {
        "Secret" => "secrets", "ConfigMap" => "configmaps", "Namespace" => null, _ => null,
    };

    private static string Describe(JsonObject obj) => $"{obj["kind"]?.GetValue<string>()}/{(obj["metadata"] as JsonObject)?["name"]?.GetValue<string>()}";

    private static ClusterClassInfo ClassInfo(JsonElement item)
    {
        var metadata = Child(item, "metadata");
        var spec = Child(item, "spec");
        var classes = new List<string>();
        if (Child(Child(spec, "workers"), "machineDeployments") is { ValueKind: JsonValueKind.Array } mds)
            foreach (var md in mds.EnumerateArray())
                if ((Text(md, "class") ?? Text(md, "name")) is { } cls) classes.Add(cls);
        var infrastructure = Child(spec, "infrastructure");
        var infraKind = Text(Child(infrastructure, "templateRef"), "kind") ?? Text(Child(infrastructure, "ref"), "kind");
        return new ClusterClassInfo(Text(metadata, "namespace") ?? "default", Text(metadata, "name") ?? "", classes, InfrastructureOf(infraKind));
    }

    /// <summary>The infrastructure a ClusterClass's infrastructure cluster template belongs to, by its kind's provider prefix.</summary>
    internal static string? InfrastructureOf(string? templateKind) => templateKind switch
    {
        null => null,
        _ when templateKind.StartsWith("OpenStack", StringComparison.Ordinal) => nameof(Domain.Provisioning.Infrastructure.OpenStack),
        _ when templateKind.StartsWith("VSphere", StringComparison.Ordinal) => nameof(Domain.Provisioning.Infrastructure.VSphere),
        _ when templateKind.StartsWith("Metal3", StringComparison.Ordinal) => nameof(Domain.Provisioning.Infrastructure.Metal3),
        _ when templateKind.StartsWith("AWSManaged", StringComparison.Ordinal) => nameof(Domain.Provisioning.Infrastructure.Eks),
        _ when templateKind.StartsWith("AzureASOManaged", StringComparison.Ordinal) => nameof(Domain.Provisioning.Infrastructure.Aks),
        _ when templateKind.StartsWith("GCPManaged", StringComparison.Ordinal) => nameof(Domain.Provisioning.Infrastructure.Gke),
        _ => null,
    };

    private static ManagementEvent? ToEvent(JsonElement e)
    {
        var involved = Child(e, "involvedObject") ?? Child(e, "regarding");
        var name = Text(involved, "name");
        var kind = Text(involved, "kind");
        if (name is null || kind is null) return null;
        var count = Child(e, "count") is { ValueKind: JsonValueKind.Number } c && c.TryGetInt32(out var n) ? n : 1;
        var last = Text(e, "lastTimestamp") ?? Text(e, "eventTime") ?? Text(Child(e, "metadata"), "creationTimestamp");
        return new ManagementEvent(Text(e, "type") ?? "Normal", Text(e, "reason") ?? "", ManagementApi.Clip(Text(e, "message") ?? Text(e, "note") ?? "", 1000),
            kind, name, count,
            DateTimeOffset.TryParse(last, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null);
    }
}
