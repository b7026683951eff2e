using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>
/// The Cluster API controllers (cluster-api v1.11, v1beta2 API) and the infrastructure providers of the shared CRDs,
/// simulated on the management cluster's controller loop: one key per object ("Kind|namespace/name"), each
/// reconciliation does at most one step and asks to be queued again after <see cref="KubeSimOptions.ClusterApiStepDelay"/>.
/// Nothing happens until the CRDs are installed (the keys only come from objects of their groups).
/// </summary>
internal sealed partial class ClusterApiController(ClusterRuntime cluster) : Controller(cluster)
{
    internal const string CoreGroup = "cluster.x-k8s.io";
    internal const string ControlPlaneGroup = "controlplane.cluster.x-k8s.io";
    internal const string BootstrapGroup = "bootstrap.cluster.x-k8s.io";
    internal const string InfrastructureGroup = "infrastructure.cluster.x-k8s.io";
    internal const string ClusterNameLabel = "cluster.x-k8s.io/cluster-name";
    internal const string ControlPlaneLabel = "cluster.x-k8s.io/control-plane";
    internal const string ControlPlaneNameLabel = "cluster.x-k8s.io/control-plane-name";
    internal const string DeploymentNameLabel = "cluster.x-k8s.io/deployment-name";
    internal const string SetNameLabel = "cluster.x-k8s.io/set-name";
    internal const string PoolNameLabel = "cluster.x-k8s.io/pool-name";
    internal const string ProvisionFailureAnnotation = "kubesim.cocktail.io/provision-failure";
    internal const string UpgradeFailureAnnotation = "kubesim.cocktail.io/upgrade-failure";
    const string Manager = "capi-controller-manager";

    readonly EventRecorder _events = new(cluster);
    /// <summary>When the pending step of an object (by uid and step name) may happen.</summary>
    readonly Dictionary<string, DateTimeOffset> _due = [];

    TimeSpan Step => Cluster.Options.ClusterApiStepDelay;
    string Now => ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());

    static bool IsCapiGroup(string storageKey)
    {
        var slash = storageKey.IndexOf('/');
        return slash > 0 && storageKey.AsSpan(0, slash).EndsWith("cluster.x-k8s.io");
    }

    public override void Start()
    {
        foreach (var storageKey in Cluster.Store.StorageKeys().Where(IsCapiGroup))
            foreach (var o in Cluster.Store.List(storageKey, null).Items)
                foreach (var key in KeysForObject(storageKey, o.Parse())) Enqueue(key);
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        var storageKey = change.Object.StorageKey;
        if (storageKey == "/secrets" || !IsCapiGroup(storageKey)) return [];
        return KeysForObject(storageKey, change.Object.Parse());
    }

    IEnumerable<string> KeysForObject(string storageKey, JsonObject o)
    {
        var ns = o.Namespace();
        var key = $"{ns}/{o.Name()}";
        var clusterName = o.At("metadata", "labels", ClusterNameLabel)?.ToString() ?? o.Str("spec", "clusterName")
            ?? o.At("metadata", "ownerReferences").Objects().FirstOrDefault(r => r.Str("kind") == "Cluster")?.Str("name");
        var keys = new List<string>();
        switch (storageKey)
        {
            case "cluster.x-k8s.io/clusters":
                keys.Add("Cluster|" + key);
                // The control plane, machine and pool controllers watch their Cluster (cluster-to-objects mappings).
                foreach (var refName in new[] { "controlPlaneRef", "infrastructureRef" })
                    if (o.At("spec", refName) is JsonObject r && TypeOfKind(r.Str("apiGroup") ?? "", r.Str("kind") ?? "") is { } t)
                        keys.Add(t.StorageKey == "controlplane.cluster.x-k8s.io/kubeadmcontrolplanes" ? $"KCP|{ns}/{r.Str("name")}"
                            : ManagedControlPlane.Kinds.ContainsKey(t.StorageKey) ? $"ManagedCP|{t.StorageKey}|{ns}/{r.Str("name")}"
                            : $"Infra|{t.StorageKey}|{ns}/{r.Str("name")}");
                // As clusterToMachineDeployments / clusterToMachineSets do: an MD applied before its Cluster waits for it.
                foreach (var (resource, prefix) in new[] { ("machines", "Machine"), ("machinepools", "MP"), ("machinedeployments", "MD"), ("machinesets", "MS") })
                    foreach (var m in Cluster.Store.List($"{CoreGroup}/{resource}", ns).Items)
                        if (m.Parse().Str("spec", "clusterName") == o.Name()) keys.Add($"{prefix}|{ns}/{m.Name}");
                break;
            case "cluster.x-k8s.io/clusterclasses":
                keys.Add("ClusterClass|" + key);
                foreach (var c in Cluster.Store.List("cluster.x-k8s.io/clusters", ns).Items)
                    if (c.Parse().Str("spec", "topology", "classRef", "name") == o.Name()) keys.Add($"Cluster|{ns}/{c.Name}");
                break;
            case "controlplane.cluster.x-k8s.io/kubeadmcontrolplanes":
                keys.Add("KCP|" + key);
                break;
            case "cluster.x-k8s.io/machinedeployments":
                keys.Add("MD|" + key);
                break;
            case "cluster.x-k8s.io/machinesets":
                keys.Add("MS|" + key);
                if (o.ControllerOf() is { } mdOwner && mdOwner.Str("kind") == "MachineDeployment") keys.Add($"MD|{ns}/{mdOwner.Str("name")}");
                break;
            case "cluster.x-k8s.io/machines":
                keys.Add("Machine|" + key);
                if (o.ControllerOf() is { } owner)
                {
                    if (owner.Str("kind") == "MachineSet") keys.Add($"MS|{ns}/{owner.Str("name")}");
                    else if (owner.Str("kind") == "KubeadmControlPlane") keys.Add($"KCP|{ns}/{owner.Str("name")}");
                }
                foreach (var mhc in Cluster.Store.List("cluster.x-k8s.io/machinehealthchecks", ns).Items) keys.Add($"MHC|{ns}/{mhc.Name}");
                break;
            case "cluster.x-k8s.io/machinepools":
                keys.Add("MP|" + key);
                break;
            case "cluster.x-k8s.io/machinehealthchecks":
                keys.Add("MHC|" + key);
                break;
            default:
                if (ManagedControlPlane.Kinds.ContainsKey(storageKey)) keys.Add($"ManagedCP|{storageKey}|{key}");
                else if (InfrastructureProviders.ClusterKinds.ContainsKey(storageKey)) keys.Add($"Infra|{storageKey}|{key}");
                else if (InfrastructureProviders.PoolKinds.ContainsKey(storageKey) &&
                         o.At("metadata", "ownerReferences").Objects().FirstOrDefault(r => r.Str("kind") == "MachinePool") is { } pool)
                    keys.Add($"MP|{ns}/{pool.Str("name")}");
                break;
        }
        // Every change of a cluster's object is a change of the Cluster's status (counters, mirrored conditions).
        if (clusterName is not null && storageKey != "cluster.x-k8s.io/clusters") keys.Add($"Cluster|{ns}/{clusterName}");
        return keys;
    }

    public override void Reconcile(string key)
    {
        try { ReconcileKey(key); }
        catch (Http.ApiException e)
        {
            if (Trace) Console.Error.WriteLine($"kubesim-trace capi {key}: {e.Code} {e.Message}");
            // controller-runtime puts a key that failed back on its queue with a rate-limited backoff; without it a
            // conflict on the last change of a cluster would leave it stuck until something else touched it.
            if (e.Code is 409 or 429 or 500 or 503) Schedule(Cluster.Options.ClusterApiStepDelay, () => Enqueue(key));
            throw;
        }
    }

    static readonly bool Trace = Environment.GetEnvironmentVariable("KUBESIM_TRACE") == "1";

    void ReconcileKey(string key)
    {
        var bar = key.IndexOf('|');
        var kind = key[..bar];
        var rest = key[(bar + 1)..];
        switch (kind)
        {
            case "Cluster": ReconcileCluster(rest); break;
            case "ClusterClass": ReconcileClusterClass(rest); break;
            case "KCP": ReconcileKubeadmControlPlane(rest); break;
            case "MD": ReconcileMachineDeployment(rest); break;
            case "MS": ReconcileMachineSet(rest); break;
            case "Machine": ReconcileMachine(rest); break;
            case "MP": ReconcileMachinePool(rest); break;
            case "MHC": ReconcileMachineHealthCheck(rest); break;
            case "ManagedCP":
            {
                var second = rest.IndexOf('|');
                ReconcileManagedControlPlane(rest[..second], rest[(second + 1)..]);
                break;
            }
            case "Infra":
            {
                var second = rest.IndexOf('|');
                ReconcileInfrastructureCluster(rest[..second], rest[(second + 1)..]);
                break;
            }
        }
    }

    // ---- shared helpers ----

    ResourceType? TypeOfKind(string group, string kind) => Cluster.Catalog.FindByKind(group, kind);

    ResourceType? TypeOfStorageKey(string storageKey)
    {
        var slash = storageKey.IndexOf('/');
        return Cluster.Catalog.FindPreferred(storageKey[..slash], storageKey[(slash + 1)..]);
    }

    ResourceType CoreType(string resource) => Cluster.Type(CoreGroup, resource);

    JsonObject? Get(string group, string resource, string ns, string name) =>
        Cluster.Catalog.FindPreferred(group, resource) is { } t ? Cluster.Registry.TryGet(t, ns, name) : null;

    /// <summary>The object a v1beta2 contract reference ({apiGroup, kind, name}) points at, in <paramref name="ns"/>.</summary>
    (ResourceType? Type, JsonObject? Object) Resolve(JsonNode? reference, string ns)
    {
        if (reference is null || reference.Str("kind") is not { } kind || reference.Str("name") is not { } name) return (null, null);
        var group = reference.Str("apiGroup") ?? GroupOf(reference.Str("apiVersion"));
        var type = TypeOfKind(group, kind);
        return (type, type is null ? null : Cluster.Registry.TryGet(type, ns, name));
    }

    static string GroupOf(string? apiVersion) => apiVersion is null ? "" : apiVersion.Contains('/') ? apiVersion[..apiVersion.IndexOf('/')] : "";

    List<JsonObject> ListCore(string resource, string ns) =>
        Cluster.Store.List($"{CoreGroup}/{resource}", ns).Items.Select(o => o.Parse()).ToList();

    List<JsonObject> OwnedBy(string storageKey, string ns, string ownerUid) => Workloads.OwnedBy(Cluster, storageKey, ns, ownerUid);

    /// <summary>
    /// True once <paramref name="step"/> of the object is due (<see cref="Step"/> after it was first asked for);
    /// until then the key is queued again for that time, so no loop polls.
    /// </summary>
    bool Due(string key, string uid, string step, TimeSpan? delay = null)
    {
        var id = $"{uid}|{step}";
        var now = Cluster.Time.GetUtcNow();
        if (!_due.TryGetValue(id, out var at))
        {
            var wait = delay ?? Step;
            _due[id] = now + wait;
            Schedule(wait, () => Enqueue(key));
            return wait <= TimeSpan.Zero;
        }
        if (now < at)
        {
            Schedule(at - now, () => Enqueue(key));
            return false;
        }
        _due.Remove(id);
        return true;
    }

    void Forget(string uid)
    {
        foreach (var id in _due.Keys.Where(k => k.StartsWith(uid + "|", StringComparison.Ordinal)).ToList()) _due.Remove(id);
    }

    /// <summary>Writes the status subresource when <paramref name="change"/> changes it (so reconciling again is idempotent).</summary>
    JsonObject WriteStatus(ResourceType type, JsonObject obj, Action<JsonObject> change)
    {
        var probe = obj.CloneObject();
        change(probe);
        if (JsonNode.DeepEquals(probe["status"], obj["status"])) return obj;
        return Workloads.WriteStatus(Cluster, type, obj, Manager, change);
    }

    /// <summary>Writes metadata/spec when <paramref name="change"/> changes them.</summary>
    JsonObject WriteObject(ResourceType type, JsonObject obj, Action<JsonObject> change)
    {
        var probe = obj.CloneObject();
        change(probe);
        if (JsonNode.DeepEquals(probe["spec"], obj["spec"]) && JsonNode.DeepEquals(probe["metadata"], obj["metadata"])) return obj;
        return Cluster.Registry.Mutate(type, obj.Namespace(), obj.Name(), WriteOptions.Internal(Manager), "", current =>
        {
            change(current);
            current.Meta().Remove("resourceVersion");
            return current;
        });
    }

    JsonObject Create(ResourceType type, string ns, JsonObject obj) =>
        Cluster.Registry.Create(type, ns, obj, WriteOptions.Internal(Manager));

    void Delete(ResourceType type, string ns, string name, string? propagation = null)
    {
        try
        {
            Cluster.Registry.Delete(type, ns, name, new DeleteOptions(WriteOptions.Internal(Manager)) { PropagationPolicy = propagation });
        }
        catch (Http.ApiException e) when (e.Code == 404) { }
    }

    JsonObject AddFinalizer(ResourceType type, JsonObject obj, string finalizer) =>
        obj.Finalizers().Contains(finalizer) ? obj : WriteObject(type, obj, o => o.SetFinalizers([.. o.Finalizers(), finalizer]));

    void RemoveFinalizer(ResourceType type, JsonObject obj, string finalizer)
    {
        if (!obj.Finalizers().Contains(finalizer)) return;
        WriteObject(type, obj, o => o.SetFinalizers(o.Finalizers().Where(f => f != finalizer)));
    }

    /// <summary>A metav1.Condition (v1beta2): lastTransitionTime moves only when the status does; observedGeneration is the object's.</summary>
    internal static void SetCondition(JsonObject obj, string type, string status, string reason, string message, string now)
    {
        var conditions = obj.Obj("status").Arr("conditions");
        var existing = conditions.Objects().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }
        if (existing.Str("status") != status || existing["lastTransitionTime"] is null) existing["lastTransitionTime"] = now;
        existing["status"] = status;
        existing["observedGeneration"] = obj.Long("metadata", "generation") ?? 1;
        existing["reason"] = reason;
        // metav1.Condition's message is required and not omitempty: Go writes "" when there is nothing to say, and the
        // CRDs' schemas refuse a condition without it.
        existing["message"] = message;
    }

    /// <summary>A Cluster API v1beta1 condition (with severity), as CAPA/CAPG's v1beta1-contract objects carry.</summary>
    internal static void SetV1Beta1Condition(JsonObject obj, string type, string status, string? reason, string? severity, string? message, string now)
    {
        var conditions = obj.Obj("status").Arr("conditions");
        var existing = conditions.Objects().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }
        if (existing.Str("status") != status || existing["lastTransitionTime"] is null) existing["lastTransitionTime"] = now;
        existing["status"] = status;
        foreach (var (k, v) in new[] { ("reason", reason), ("severity", severity), ("message", message) })
            if (v is null) existing.Remove(k); else existing[k] = v;
    }

    internal static JsonObject? Condition(JsonObject obj, string type) =>
        obj.At("status", "conditions").Objects().FirstOrDefault(c => c.Str("type") == type);

    internal static bool IsTrue(JsonObject obj, string type) => Condition(obj, type)?.Str("status") == "True";

    static JsonObject V1Beta2Ref(string group, string kind, string name) => new() { ["apiGroup"] = group, ["kind"] = kind, ["name"] = name };

    static JsonObject ClusterOwnerRef(JsonObject capiCluster) => ObjectMetadata.OwnerReference(capiCluster, $"{CoreGroup}/v1beta2", "Cluster");

    /// <summary>Adds the owner reference (keeping others) and the cluster-name label.</summary>
    static void EnsureOwner(JsonObject obj, JsonObject ownerRef, string clusterName)
    {
        var refs = obj.Meta().Arr("ownerReferences");
        if (!refs.Objects().Any(r => r.Str("uid") == ownerRef.Str("uid")))
        {
            if (ownerRef.Bool("controller") == true && refs.Objects().Any(r => r.Bool("controller") == true)) ownerRef = ownerRef.CloneObject().Also(r => r.Remove("controller"));
            refs.Add(ownerRef.DeepClone());
        }
        obj.Meta().Obj("labels")[ClusterNameLabel] = clusterName;
    }

    static int Replicas(JsonObject obj, int fallback = 1) => (int)(obj.Long("spec", "replicas") ?? fallback);

    static string Annotation(JsonObject obj, string name) => obj.At("metadata", "annotations", name)?.ToString() ?? "";

    static string RandomSuffix() => ObjectMetadata.GenerateName("");
}

internal static class JsonObjectFluent
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}
