using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Patch;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim;

/// <summary>
/// Direct, in-process access to a simulated cluster's objects for seeding and asserting, without HTTP or RBAC
/// (writes run as a system:masters user and still pass admission, defaulting and validation, so what tests seed
/// looks exactly like what clients create). Objects are JSON as the API shows them.
/// Failures throw <see cref="ApiException"/> with the same code/reason/message the HTTP API would return.
/// </summary>
public sealed class ClusterObjects
{
    readonly ClusterRuntime _cluster;

    internal ClusterObjects(ClusterRuntime cluster) => _cluster = cluster;

    const string Manager = "kubesim-test";

    internal ObjectRegistry Registry => _cluster.Registry;

    WriteOptions Write => WriteOptions.Internal(Manager);

    /// <summary>The resource type for an apiVersion/kind pair, e.g. ("apps/v1", "Deployment").</summary>
    public ResourceType TypeOf(string apiVersion, string kind) =>
        _cluster.Catalog.FindByApiVersionKind(apiVersion, kind) ?? throw new ArgumentException($"no kind {kind} in {apiVersion}");

    public JsonObject Create(JsonObject obj)
    {
        var type = TypeOf(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "");
        return Registry.Create(type, obj.Str("metadata", "namespace") ?? "", obj, Write);
    }

    public JsonObject Create(string json) => Create(JsonExtensions.ParseObject(json));

    /// <summary>Creates, or replaces when it exists (ignoring resourceVersion), like a forced apply of the whole object.</summary>
    public JsonObject Upsert(JsonObject obj)
    {
        var type = TypeOf(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "");
        var ns = obj.Str("metadata", "namespace") ?? "";
        var name = obj.Str("metadata", "name") ?? "";
        lock (_cluster.Store.Gate)
        {
            if (Registry.TryGet(type, ns, name) is null) return Registry.Create(type, ns, obj, Write);
            var body = obj.CloneObject();
            body.Obj("metadata").Remove("resourceVersion");
            return Registry.Update(type, ns, name, body, Write);
        }
    }

    public JsonObject? Get(string apiVersion, string kind, string name, string? ns = null) =>
        Registry.TryGet(TypeOf(apiVersion, kind), ns ?? "", name);

    /// <summary>Items of a kind, optionally in one namespace and filtered by a label selector string.</summary>
    public IReadOnlyList<JsonObject> List(string apiVersion, string kind, string? ns = null, string? labelSelector = null)
    {
        var type = TypeOf(apiVersion, kind);
        var list = Registry.List(type, ns, new ListOptions { Labels = LabelSelector.Parse(labelSelector) });
        return list["items"].Objects().Select(i => ObjectMetadata.WithTypeMeta(i.CloneObject(), type.Kind, type.GroupVersion)).ToList();
    }

    /// <summary>PUT semantics: fails with 409 when <paramref name="obj"/> carries a stale resourceVersion.</summary>
    public JsonObject Update(JsonObject obj)
    {
        var type = TypeOf(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "");
        return Registry.Update(type, obj.Str("metadata", "namespace") ?? "", obj.Str("metadata", "name") ?? "", obj, Write);
    }

    /// <summary>Writes the status subresource (e.g. to make a Deployment look unhealthy).</summary>
    public JsonObject UpdateStatus(JsonObject obj)
    {
        var type = TypeOf(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "");
        return Registry.Update(type, obj.Str("metadata", "namespace") ?? "", obj.Str("metadata", "name") ?? "", obj, Write, "status");
    }

    /// <summary>JSON merge patch (RFC 7386).</summary>
    public JsonObject MergePatch(string apiVersion, string kind, string name, string? ns, JsonObject patch) =>
        Registry.Mutate(TypeOf(apiVersion, kind), ns ?? "", name, Write, "", current =>
        {
            var patched = (JsonObject)JsonMergePatch.Apply(current, patch)!;
            patched.Obj("metadata").Remove("resourceVersion");
            return patched;
        });

    /// <summary>DELETE with the API's semantics (finalizers, graceful pod deletion, propagation).</summary>
    public void Delete(string apiVersion, string kind, string name, string? ns = null, string? propagationPolicy = null) =>
        Registry.Delete(TypeOf(apiVersion, kind), ns ?? "", name, new DeleteOptions(Write) { PropagationPolicy = propagationPolicy });

    /// <summary>
    /// Creates <paramref name="count"/> bare pods named prefix-0..N-1 (one nginx container with small requests);
    /// the scheduler and kubelets then run them as usual.
    /// </summary>
    public IReadOnlyList<JsonObject> SeedPods(string ns, int count, string prefix = "pod", IReadOnlyDictionary<string, string>? labels = null,
        string image = "nginx:1.27", string cpuRequest = "50m", string memoryRequest = "64Mi")
    {
        EnsureNamespace(ns);
        var created = new List<JsonObject>(count);
        for (var i = 0; i < count; i++)
        {
            var podLabels = new JsonObject { ["app"] = prefix };
            foreach (var (k, v) in labels ?? new Dictionary<string, string>()) podLabels[k] = v;
            created.Add(Create(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = $"{prefix}-{i}", ["namespace"] = ns, ["labels"] = podLabels },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = "app",
                        ["image"] = image,
                        ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 80 }),
                        ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = cpuRequest, ["memory"] = memoryRequest } },
                    }),
                },
            }));
        }
        return created;
    }

    public JsonObject EnsureNamespace(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var existing = Get("v1", "Namespace", name);
        if (existing is not null) return existing;
        var labelObject = new JsonObject();
        foreach (var (k, v) in labels ?? new Dictionary<string, string>()) labelObject[k] = v;
        return Create(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labelObject },
        });
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the object (or throws TimeoutException).</summary>
    public async Task<JsonObject> WaitForAsync(string apiVersion, string kind, string name, string? ns, Func<JsonObject, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var obj = Get(apiVersion, kind, name, ns);
            if (obj is not null && condition(obj)) return obj;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{kind} {ns}/{name} did not reach the expected state");
            await Task.Delay(20);
        }
    }
}
