namespace Cocktail.KubeSim.Http.Protobuf;

/// <summary>How one protobuf field maps to a JSON field (numbers from k8s.io/api's generated.proto files).</summary>
internal sealed record ProtoField(string Name, ProtoKind Kind, ProtoMessage? Message = null, bool Repeated = false);

internal enum ProtoKind { String, Bytes, Int64, Int32, Bool, Message, StringMap, BytesMap, Time }

internal sealed class ProtoMessage(Dictionary<int, ProtoField> fields)
{
    public IReadOnlyDictionary<int, ProtoField> Fields => fields;
}

/// <summary>
/// The request bodies kubectl's typed clients send as protobuf (auth can-i, create token, create
/// configmap/secret/namespace/serviceaccount). Everything else reaches KubeSim as JSON or YAML.
/// </summary>
internal static class ProtobufSchema
{
    static readonly ProtoMessage OwnerReference = new(new()
    {
        [1] = new("kind", ProtoKind.String), [3] = new("name", ProtoKind.String), [4] = new("uid", ProtoKind.String),
        [5] = new("apiVersion", ProtoKind.String), [6] = new("controller", ProtoKind.Bool), [7] = new("blockOwnerDeletion", ProtoKind.Bool),
    });

    static readonly ProtoMessage ObjectMeta = new(new()
    {
        [1] = new("name", ProtoKind.String), [2] = new("generateName", ProtoKind.String), [3] = new("namespace", ProtoKind.String),
        [5] = new("uid", ProtoKind.String), [6] = new("resourceVersion", ProtoKind.String), [7] = new("generation", ProtoKind.Int64),
        [11] = new("labels", ProtoKind.StringMap), [12] = new("annotations", ProtoKind.StringMap),
        [13] = new("ownerReferences", ProtoKind.Message, OwnerReference, Repeated: true),
        [14] = new("finalizers", ProtoKind.String, Repeated: true),
    });

    static readonly ProtoMessage ResourceAttributes = new(new()
    {
        [1] = new("namespace", ProtoKind.String), [2] = new("verb", ProtoKind.String), [3] = new("group", ProtoKind.String),
        [4] = new("version", ProtoKind.String), [5] = new("resource", ProtoKind.String), [6] = new("subresource", ProtoKind.String),
        [7] = new("name", ProtoKind.String),
    });

    static readonly ProtoMessage NonResourceAttributes = new(new()
    {
        [1] = new("path", ProtoKind.String), [2] = new("verb", ProtoKind.String),
    });

    static readonly ProtoMessage SelfSubjectAccessReviewSpec = new(new()
    {
        [1] = new("resourceAttributes", ProtoKind.Message, ResourceAttributes),
        [2] = new("nonResourceAttributes", ProtoKind.Message, NonResourceAttributes),
    });

    static readonly ProtoMessage SelfSubjectRulesReviewSpec = new(new() { [1] = new("namespace", ProtoKind.String) });

    static readonly ProtoMessage BoundObjectReference = new(new()
    {
        [1] = new("kind", ProtoKind.String), [2] = new("apiVersion", ProtoKind.String), [3] = new("name", ProtoKind.String), [4] = new("uid", ProtoKind.String),
    });

    static readonly ProtoMessage TokenRequestSpec = new(new()
    {
        [1] = new("audiences", ProtoKind.String, Repeated: true),
        [3] = new("boundObjectRef", ProtoKind.Message, BoundObjectReference),
        [4] = new("expirationSeconds", ProtoKind.Int64),
    });

    static readonly ProtoMessage NamespaceSpec = new(new() { [1] = new("finalizers", ProtoKind.String, Repeated: true) });

    static readonly ProtoMessage LocalObjectReference = new(new() { [1] = new("name", ProtoKind.String) });

    static ProtoMessage WithMeta(Dictionary<int, ProtoField> fields)
    {
        fields[1] = new("metadata", ProtoKind.Message, ObjectMeta);
        return new ProtoMessage(fields);
    }

    public static readonly IReadOnlyDictionary<string, ProtoMessage> ByKind = new Dictionary<string, ProtoMessage>
    {
        ["SelfSubjectAccessReview"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, SelfSubjectAccessReviewSpec) }),
        ["SelfSubjectRulesReview"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, SelfSubjectRulesReviewSpec) }),
        ["SelfSubjectReview"] = WithMeta(new()),
        ["TokenRequest"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, TokenRequestSpec) }),
        ["ConfigMap"] = WithMeta(new()
        {
            [2] = new("data", ProtoKind.StringMap), [3] = new("binaryData", ProtoKind.BytesMap), [4] = new("immutable", ProtoKind.Bool),
        }),
        ["Secret"] = WithMeta(new()
        {
            [2] = new("data", ProtoKind.BytesMap), [3] = new("type", ProtoKind.String), [4] = new("stringData", ProtoKind.StringMap),
            [5] = new("immutable", ProtoKind.Bool),
        }),
        ["Namespace"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, NamespaceSpec) }),
        ["ServiceAccount"] = WithMeta(new()
        {
            [3] = new("imagePullSecrets", ProtoKind.Message, LocalObjectReference, Repeated: true),
            [4] = new("automountServiceAccountToken", ProtoKind.Bool),
        }),
        ["DeleteOptions"] = new ProtoMessage(new()
        {
            [1] = new("gracePeriodSeconds", ProtoKind.Int64), [3] = new("orphanDependents", ProtoKind.Bool),
            [4] = new("propagationPolicy", ProtoKind.String), [5] = new("dryRun", ProtoKind.String, Repeated: true),
        }),
    };
}
