using System.Text.Json.Nodes;
using Cocktail.KubeSim.Admission;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Patch;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Registry;

/// <summary>
/// The generic registry (k8s.io/apiserver/pkg/registry/generic/registry.Store): create, read, update and delete
/// with the metadata rules every resource shares, type defaulting and validation, then admission, then storage.
/// HTTP handlers, the in-process API and KubeSim's controllers all write through here.
/// </summary>
public sealed partial class ObjectRegistry(
    ObjectStore store,
    ResourceCatalog catalog,
    Func<AdmissionChain> admission,
    TimeProvider time)
{
    public ObjectStore Store => store;
    public ResourceCatalog Catalog => catalog;
    public TimeProvider Time => time;

    string Now => ObjectMetadata.Timestamp(time.GetUtcNow());

    int _lastServiceIp = 9; // 10.96.0.1 belongs to default/kubernetes; Services get addresses after a few reserved ones

    /// <summary>The next ClusterIP from this cluster's 10.96.0.0/12 service range.</summary>
    public string AllocateServiceIp()
    {
        var n = Interlocked.Increment(ref _lastServiceIp);
        return $"10.96.{n / 254 % 254}.{n % 254 + 1}";
    }

    public JsonObject? TryGet(ResourceType type, string ns, string name) =>
        store.Get(type.StorageKey, type.Namespaced ? ns : "", name) is { } stored ? ToApi(type, stored.Parse()) : null;

    public JsonObject Get(ResourceType type, string ns, string name) =>
        TryGet(type, ns, name) ?? throw ApiException.NotFound(type.Group, type.Resource, name);

    /// <summary>The object as the API shows it for this type's version (kind/apiVersion set, events converted).</summary>
    public JsonObject ToApi(ResourceType type, JsonObject stored)
    {
        // Custom resources are defaulted whenever they are decoded, from storage too (apiextensions' unstructuredDefaulter).
        if (type.Custom?.Schema is { HasDefaults: true } schema) schema.ApplyDefaults(stored);
        return ObjectMetadata.WithTypeMeta(VersionConversion.ToServedVersion(type, stored), type.Kind, type.GroupVersion);
    }

    JsonObject FromApi(ResourceType type, JsonObject apiObject)
    {
        return VersionConversion.ToStorageVersion(type, ObjectMetadata.WithoutTypeMeta(apiObject));
    }

    public JsonObject Create(ResourceType type, string ns, JsonObject body, WriteOptions options)
    {
        CheckTypeMeta(type, body);
        var obj = FromApi(type, ValidateFields(type, body.CloneObject(), options));
        var meta = obj.Meta();
        ns = ResolveNamespace(type, ns, obj);
        if (meta.Str("name") is null or "" && meta.Str("generateName") is { Length: > 0 } prefix)
            meta["name"] = ObjectMetadata.GenerateName(prefix);
        var name = meta.Str("name") ?? "";
        var nameErrors = NameValidation.Validate(type.Group, type.Resource, name).ToList();
        if (nameErrors.Count > 0) throw ApiException.Invalid(type.Group, type.Kind, name, nameErrors);

        lock (store.Gate)
        {
            if (type.Namespaced) RequireWritableNamespace(type, ns, name);
            if (store.Get(type.StorageKey, ns, name) is not null) throw ApiException.AlreadyExists(type.Group, type.Resource, name);
            foreach (var k in new[] { "uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" })
                meta.Remove(k);
            if (options.TrackFields) meta.Remove("managedFields");
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Now;
            if (HasGeneration(type)) meta["generation"] = 1;
            // Status is the controllers' to write: strategies reset it on create, except for nodes (kubelets register
            // with their status) and CRDs (whose status the apiextensions server manages).
            if (type.Subresources.ContainsKey("status") && type.Resource is not ("customresourcedefinitions" or "nodes")) obj.Remove("status");
            ObjectDefaulting.OnCreate(type, obj, this);
            PruneAndDefaultCustom(type, obj);
            var request = new AdmissionRequest(type, "CREATE", "", ns, name, obj, null, options.User, options.DryRun);
            admission().Run(request);
            ObjectValidation.Validate(type, request.Object!, null);
            ValidateCustom(type, request.Object!, null);
            if (options.TrackFields) ManagedFields.RecordUpdate(null, obj, options.EffectiveFieldManager, type.GroupVersion, "", Now);
            if (options.DryRun) return ToApi(type, obj);
            var stored = store.Put(type.StorageKey, obj);
            AfterWrite(type, null, obj);
            var result = ToApi(type, stored.Parse());
            if (options.FieldValidation is not null) LastWarnings = [.. LastWarnings, .. request.Warnings];
            return result;
        }
    }

    /// <summary>
    /// Drops fields the type's schema does not declare, as decoding into the Go types does; with
    /// fieldValidation=Strict they are a 400 instead, with Warn a warning.
    /// </summary>
    JsonObject ValidateFields(ResourceType type, JsonObject obj, WriteOptions options)
    {
        if (options.FieldValidation is null || VersionConversion.Converts(type)) return obj;
        var typed = obj["kind"] is null ? ObjectMetadata.WithTypeMeta(obj, type.Kind, type.GroupVersion) : obj;
        var unknown = Prune(type, typed);
        if (unknown.Count == 0) return typed;
        var described = string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""));
        if (options.FieldValidation == "Strict")
            throw ApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {described}");
        if (options.FieldValidation == "Warn") LastWarnings = [.. LastWarnings, .. unknown.Select(u => $"unknown field \"{u}\"")];
        return typed;
    }

    static List<string> Prune(ResourceType type, JsonObject typed) => type.Custom is { } custom
        ? custom.Schema?.Prune(typed) ?? []
        : Discovery.ObjectSchemas.Prune(type, typed);

    /// <summary>
    /// A custom resource's body as apiextensions decodes it, whoever writes it: undeclared fields pruned, then the
    /// schema's defaults applied (pkg/apiserver/schema/defaulting), before admission and validation.
    /// </summary>
    static void PruneAndDefaultCustom(ResourceType type, JsonObject obj)
    {
        if (type.Custom?.Schema is not { } schema) return;
        schema.Prune(obj);
        schema.ApplyDefaults(obj);
    }

    /// <summary>The CRD version's schema validation (422 Invalid with every error, as customResourceStrategy.Validate).</summary>
    static void ValidateCustom(ResourceType type, JsonObject obj, JsonObject? old)
    {
        if (type.Custom?.Schema is not { } schema) return;
        var errors = CustomResourceValidation.Validate(schema, obj, old);
        if (errors.Count > 0) throw ApiException.Invalid(type.Group, type.Kind, obj.Str("metadata", "name") ?? "", errors);
    }

    /// <summary>
    /// The paths ("spec.foo") of fields <paramref name="obj"/> carries that the type's schema does not declare,
    /// leaving <paramref name="obj"/> as it is. Server-side apply refuses these whatever fieldValidation says.
    /// </summary>
    public List<string> UndeclaredFields(ResourceType type, JsonObject obj) =>
        VersionConversion.Converts(type) ? [] : Prune(type, (JsonObject)obj.DeepClone());


    /// <summary>Admission warnings of the last write on this thread, sent back as <c>Warning</c> headers.</summary>
    static readonly AsyncLocal<List<string>?> Warnings = new();
    public static List<string> LastWarnings { get => Warnings.Value ?? []; set => Warnings.Value = value; }

    /// <summary>PUT semantics: the whole object (or only its status for the status subresource) replaces the stored one.</summary>
    public JsonObject Update(ResourceType type, string ns, string name, JsonObject body, WriteOptions options, string subresource = "")
    {
        CheckTypeMeta(type, body);
        var incoming = FromApi(type, ValidateFields(type, body.CloneObject(), options));
        if (incoming.Str("metadata", "name") is { } bodyName && bodyName != name)
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        lock (store.Gate)
        {
            var ns2 = type.Namespaced ? ns : "";
            var existing = store.Get(type.StorageKey, ns2, name)?.Parse()
                           ?? throw ApiException.NotFound(type.Group, type.Resource, name);
            var rv = incoming.Str("metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != existing.Str("metadata", "resourceVersion"))
                throw ApiException.Conflict(type.Group, type.Resource, name, ApiException.StaleObjectMessage);
            return ReplaceLocked(type, existing, incoming, options, subresource);
        }
    }

    /// <summary>Applies <paramref name="mutate"/> to the current object and writes the result (patch, scale, controllers).</summary>
    public JsonObject Mutate(ResourceType type, string ns, string name, WriteOptions options, string subresource, Func<JsonObject, JsonObject> mutate)
    {
        lock (store.Gate)
        {
            var existing = store.Get(type.StorageKey, type.Namespaced ? ns : "", name)?.Parse()
                           ?? throw ApiException.NotFound(type.Group, type.Resource, name);
            var apiView = ToApi(type, existing.CloneObject());
            var changed = ValidateFields(type, mutate(apiView), options);
            var rv = changed.Str("metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != existing.Str("metadata", "resourceVersion"))
                throw ApiException.Conflict(type.Group, type.Resource, name, ApiException.StaleObjectMessage);
            return ReplaceLocked(type, existing, FromApi(type, changed), options, subresource);
        }
    }

    JsonObject ReplaceLocked(ResourceType type, JsonObject existing, JsonObject incoming, WriteOptions options, string subresource)
    {
        var name = existing.Name();
        var ns = existing.Namespace();
        var updated = subresource == "status" ? WithStatusOnly(existing, incoming) : incoming;
        var meta = updated.Meta();
        var oldMeta = existing.Meta();
        foreach (var k in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name" })
        {
            if (oldMeta[k] is { } v) meta[k] = v.DeepClone();
            else meta.Remove(k);
        }
        if (subresource != "status" && type.Subresources.ContainsKey("status") && existing["status"] is { } oldStatus)
            updated["status"] = oldStatus.DeepClone();
        if (subresource is "" or "scale" && HasGeneration(type) && SpecChanged(existing, updated))
            meta["generation"] = (existing.Long("metadata", "generation") ?? 0) + 1;
        if (updated.IsDeleting() && !existing.IsDeleting()) meta.Remove("deletionTimestamp");
        ObjectDefaulting.OnUpdate(type, updated, existing, this);
        PruneAndDefaultCustom(type, updated);

        var request = new AdmissionRequest(type, "UPDATE", subresource, ns, name, updated, existing, options.User, options.DryRun);
        admission().Run(request);
        ObjectValidation.Validate(type, updated, existing);
        ValidateCustom(type, updated, existing);
        if (options.TrackFields) ManagedFields.RecordUpdate(existing, updated, options.EffectiveFieldManager, type.GroupVersion, subresource, Now);
        if (options.FieldValidation is not null) LastWarnings = [.. LastWarnings, .. request.Warnings];

        meta["resourceVersion"] = oldMeta["resourceVersion"]?.DeepClone();
        if (JsonNode.DeepEquals(updated, existing)) return ToApi(type, existing); // a no-op write keeps the resourceVersion
        if (options.DryRun) return ToApi(type, updated);
        if (updated.IsDeleting() && !HasPendingFinalizers(type, updated))
        {
            var tombstone = store.Remove(type.StorageKey, ns, name)!;
            AfterDelete(type, tombstone.Parse());
            return ToApi(type, tombstone.Parse());
        }
        var stored = store.Put(type.StorageKey, updated);
        AfterWrite(type, existing, updated);
        return ToApi(type, stored.Parse());
    }

    /// <summary>Namespaces also wait for their spec.finalizers (the namespace controller's "kubernetes").</summary>
    static bool HasPendingFinalizers(ResourceType type, JsonObject obj) =>
        obj.Finalizers().Count > 0 || (type.StorageKey == "/namespaces" && obj.At("spec", "finalizers") is JsonArray { Count: > 0 });

    static JsonObject WithStatusOnly(JsonObject existing, JsonObject incoming)
    {
        var result = existing.CloneObject();
        if (incoming["status"] is { } status) result["status"] = status.DeepClone();
        else result.Remove("status");
        // The status strategies reset everything but status to the stored object, metadata included.
        return result;
    }

    static bool SpecChanged(JsonObject before, JsonObject after)
    {
        foreach (var key in before.Select(p => p.Key).Union(after.Select(p => p.Key)))
        {
            if (key is "metadata" or "status" or "kind" or "apiVersion") continue;
            if (!JsonNode.DeepEquals(before[key], after[key])) return true;
        }
        return false;
    }

    /// <summary>Which kinds carry metadata.generation: those with a spec the controllers act on.</summary>
    static bool HasGeneration(ResourceType type) =>
        type.Resource is not ("events" or "configmaps" or "secrets" or "serviceaccounts" or "namespaces" or "nodes" or "endpoints" or "leases");

    void CheckTypeMeta(ResourceType type, JsonObject body)
    {
        var apiVersion = body.Str("apiVersion");
        var kind = body.Str("kind");
        if (apiVersion is not null && apiVersion != type.GroupVersion)
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.GroupVersion})");
        if (kind is not null && kind != type.Kind)
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
    }

    static string ResolveNamespace(ResourceType type, string pathNamespace, JsonObject obj)
    {
        var meta = obj.Meta();
        if (!type.Namespaced)
        {
            meta.Remove("namespace");
            return "";
        }
        var bodyNamespace = meta.Str("namespace");
        if (!string.IsNullOrEmpty(bodyNamespace) && pathNamespace.Length > 0 && bodyNamespace != pathNamespace)
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        var ns = pathNamespace.Length > 0 ? pathNamespace : bodyNamespace ?? "";
        if (ns.Length == 0) throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        meta["namespace"] = ns;
        return ns;
    }

    void RequireWritableNamespace(ResourceType type, string ns, string name)
    {
        var nsObject = store.Get("/namespaces", "", ns)?.Parse() ?? throw ApiException.NotFound("", "namespaces", ns);
        if (nsObject.IsDeleting() || nsObject.Str("status", "phase") == "Terminating")
            throw ApiException.Forbidden(type.Group, type.Resource, name,
                $"unable to create new content in namespace {ns} because it is being terminated",
                new JsonArray(new JsonObject
                {
                    ["reason"] = "NamespaceTerminating",
                    ["message"] = $"namespace {ns} is being terminated",
                    ["field"] = "metadata.namespace",
                }));
    }

    /// <summary>Side effects of a stored write that a real apiserver performs synchronously (CRD serving).</summary>
    void AfterWrite(ResourceType type, JsonObject? before, JsonObject after)
    {
        if (type.Resource == "customresourcedefinitions" && type.Group == "apiextensions.k8s.io" && !after.IsDeleting())
            catalog.Register(after);
    }

    void AfterDelete(ResourceType type, JsonObject deleted)
    {
        if (type.Resource == "customresourcedefinitions" && type.Group == "apiextensions.k8s.io")
        {
            catalog.Unregister(deleted.Name());
            var group = deleted.Str("spec", "group") ?? "";
            var plural = deleted.Str("spec", "names", "plural") ?? "";
            foreach (var instance in store.List($"{group}/{plural}", null).Items)
                store.Remove(instance.StorageKey, instance.Namespace, instance.Name);
        }
    }
}
