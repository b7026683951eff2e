namespace Cocktail.KubeSim.Http.Protobuf;

/// <summary>How one protobuf field maps to a JSON field (numbers from k8s.io/api's generated.proto files).</summary>
/// <remarks>
/// Go's protobuf encoding writes every non-pointer field, zero or not, while JSON omits empty ones; only fields
/// that are pointers in the Go types (<paramref name="Pointer"/>) keep an explicit zero.
/// </remarks>
internal sealed record ProtoField(string Name, ProtoKind Kind, ProtoMessage? Message = null, bool Repeated = false, bool Pointer = false);

internal enum ProtoKind { String, Bytes, Int64, Int32, Bool, Message, StringMap, BytesMap, Time, IntOrString }

internal sealed class ProtoMessage(Dictionary<int, ProtoField> fields)
{
    public IReadOnlyDictionary<int, ProtoField> Fields => fields;
}

/// <summary>
/// The request bodies kubectl's typed clients send as protobuf (auth can-i, create token, and the `kubectl create
/// configmap/secret/namespace/serviceaccount/deployment/job/cronjob/service` generators), covering the fields those
/// commands set. Everything else reaches KubeSim as JSON or YAML.
/// </summary>
internal static class ProtobufSchema
{
    static readonly ProtoMessage OwnerReference = new(new()
    {
        [1] = new("kind", ProtoKind.String), [3] = new("name", ProtoKind.String), [4] = new("uid", ProtoKind.String),
        [5] = new("apiVersion", ProtoKind.String), [6] = new("controller", ProtoKind.Bool, Pointer: true), [7] = new("blockOwnerDeletion", ProtoKind.Bool, Pointer: true),
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
        [4] = new("expirationSeconds", ProtoKind.Int64, Pointer: true),
    });

    static readonly ProtoMessage NamespaceSpec = new(new() { [1] = new("finalizers", ProtoKind.String, Repeated: true) });

    static readonly ProtoMessage LocalObjectReference = new(new() { [1] = new("name", ProtoKind.String) });

    static readonly ProtoMessage LabelSelectorRequirement = new(new()
    {
        [1] = new("key", ProtoKind.String), [2] = new("operator", ProtoKind.String), [3] = new("values", ProtoKind.String, Repeated: true),
    });

    static readonly ProtoMessage LabelSelector = new(new()
    {
        [1] = new("matchLabels", ProtoKind.StringMap),
        [2] = new("matchExpressions", ProtoKind.Message, LabelSelectorRequirement, Repeated: true),
    });

    static readonly ProtoMessage ContainerPort = new(new()
    {
        [1] = new("name", ProtoKind.String), [2] = new("hostPort", ProtoKind.Int32), [3] = new("containerPort", ProtoKind.Int32),
        [4] = new("protocol", ProtoKind.String), [5] = new("hostIP", ProtoKind.String),
    });

    static readonly ProtoMessage EnvVar = new(new() { [1] = new("name", ProtoKind.String), [2] = new("value", ProtoKind.String) });

    static readonly ProtoMessage Container = new(new()
    {
        [1] = new("name", ProtoKind.String), [2] = new("image", ProtoKind.String),
        [3] = new("command", ProtoKind.String, Repeated: true), [4] = new("args", ProtoKind.String, Repeated: true),
        [5] = new("workingDir", ProtoKind.String), [6] = new("ports", ProtoKind.Message, ContainerPort, Repeated: true),
        [7] = new("env", ProtoKind.Message, EnvVar, Repeated: true), [14] = new("imagePullPolicy", ProtoKind.String),
        [16] = new("stdin", ProtoKind.Bool), [18] = new("tty", ProtoKind.Bool),
    });

    static readonly ProtoMessage PodSpec = new(new()
    {
        [2] = new("containers", ProtoKind.Message, Container, Repeated: true), [3] = new("restartPolicy", ProtoKind.String),
        [4] = new("terminationGracePeriodSeconds", ProtoKind.Int64, Pointer: true), [5] = new("activeDeadlineSeconds", ProtoKind.Int64, Pointer: true),
        [6] = new("dnsPolicy", ProtoKind.String), [7] = new("nodeSelector", ProtoKind.StringMap),
        [8] = new("serviceAccountName", ProtoKind.String), [10] = new("nodeName", ProtoKind.String),
        [20] = new("initContainers", ProtoKind.Message, Container, Repeated: true),
    });

    static readonly ProtoMessage PodTemplateSpec = new(new()
    {
        [1] = new("metadata", ProtoKind.Message, ObjectMeta), [2] = new("spec", ProtoKind.Message, PodSpec),
    });

    static readonly ProtoMessage DeploymentSpec = new(new()
    {
        [1] = new("replicas", ProtoKind.Int32, Pointer: true), [2] = new("selector", ProtoKind.Message, LabelSelector),
        [3] = new("template", ProtoKind.Message, PodTemplateSpec), [5] = new("minReadySeconds", ProtoKind.Int32),
        [6] = new("revisionHistoryLimit", ProtoKind.Int32, Pointer: true), [7] = new("paused", ProtoKind.Bool),
        [9] = new("progressDeadlineSeconds", ProtoKind.Int32, Pointer: true),
    });

    static readonly ProtoMessage JobSpec = new(new()
    {
        [1] = new("parallelism", ProtoKind.Int32, Pointer: true), [2] = new("completions", ProtoKind.Int32, Pointer: true), [3] = new("activeDeadlineSeconds", ProtoKind.Int64, Pointer: true),
        [4] = new("selector", ProtoKind.Message, LabelSelector), [5] = new("manualSelector", ProtoKind.Bool, Pointer: true),
        [6] = new("template", ProtoKind.Message, PodTemplateSpec), [7] = new("backoffLimit", ProtoKind.Int32, Pointer: true),
        [8] = new("ttlSecondsAfterFinished", ProtoKind.Int32, Pointer: true), [10] = new("suspend", ProtoKind.Bool, Pointer: true),
    });

    static readonly ProtoMessage JobTemplateSpec = new(new()
    {
        [1] = new("metadata", ProtoKind.Message, ObjectMeta), [2] = new("spec", ProtoKind.Message, JobSpec),
    });

    static readonly ProtoMessage CronJobSpec = new(new()
    {
        [1] = new("schedule", ProtoKind.String), [2] = new("startingDeadlineSeconds", ProtoKind.Int64, Pointer: true),
        [3] = new("concurrencyPolicy", ProtoKind.String), [4] = new("suspend", ProtoKind.Bool, Pointer: true),
        [5] = new("jobTemplate", ProtoKind.Message, JobTemplateSpec),
        [6] = new("successfulJobsHistoryLimit", ProtoKind.Int32, Pointer: true), [7] = new("failedJobsHistoryLimit", ProtoKind.Int32, Pointer: true),
        [8] = new("timeZone", ProtoKind.String, Pointer: true),
    });

    static readonly ProtoMessage CrossVersionObjectReference = new(new()
    {
        [1] = new("kind", ProtoKind.String), [2] = new("name", ProtoKind.String), [3] = new("apiVersion", ProtoKind.String),
    });

    static readonly ProtoMessage HorizontalPodAutoscalerSpecV1 = new(new()
    {
        [1] = new("scaleTargetRef", ProtoKind.Message, CrossVersionObjectReference), [2] = new("minReplicas", ProtoKind.Int32, Pointer: true),
        [3] = new("maxReplicas", ProtoKind.Int32), [4] = new("targetCPUUtilizationPercentage", ProtoKind.Int32, Pointer: true),
    });

    static readonly ProtoMessage MetricTarget = new(new()
    {
        [1] = new("type", ProtoKind.String), [4] = new("averageUtilization", ProtoKind.Int32, Pointer: true),
    });

    static readonly ProtoMessage ResourceMetricSource = new(new()
    {
        [1] = new("name", ProtoKind.String), [2] = new("target", ProtoKind.Message, MetricTarget),
    });

    static readonly ProtoMessage MetricSpec = new(new()
    {
        [1] = new("type", ProtoKind.String), [4] = new("resource", ProtoKind.Message, ResourceMetricSource),
    });

    static readonly ProtoMessage HorizontalPodAutoscalerSpecV2 = new(new()
    {
        [1] = new("scaleTargetRef", ProtoKind.Message, CrossVersionObjectReference), [2] = new("minReplicas", ProtoKind.Int32, Pointer: true),
        [3] = new("maxReplicas", ProtoKind.Int32), [4] = new("metrics", ProtoKind.Message, MetricSpec, Repeated: true),
    });

    static readonly ProtoMessage ServicePort = new(new()
    {
        [1] = new("name", ProtoKind.String), [2] = new("protocol", ProtoKind.String), [3] = new("port", ProtoKind.Int32),
        [4] = new("targetPort", ProtoKind.IntOrString), [5] = new("nodePort", ProtoKind.Int32),
    });

    static readonly ProtoMessage ServiceSpec = new(new()
    {
        [1] = new("ports", ProtoKind.Message, ServicePort, Repeated: true), [2] = new("selector", ProtoKind.StringMap),
        [3] = new("clusterIP", ProtoKind.String), [4] = new("type", ProtoKind.String),
        [5] = new("externalIPs", ProtoKind.String, Repeated: true), [7] = new("sessionAffinity", ProtoKind.String),
        [10] = new("externalName", ProtoKind.String),
    });

    static ProtoMessage WithMeta(Dictionary<int, ProtoField> fields)
    {
        fields[1] = new("metadata", ProtoKind.Message, ObjectMeta);
        return new ProtoMessage(fields);
    }

    /// <summary>Keyed by kind, or by "apiVersion kind" where versions of a kind differ.</summary>
    public static readonly IReadOnlyDictionary<string, ProtoMessage> ByKind = new Dictionary<string, ProtoMessage>
    {
        ["SelfSubjectAccessReview"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, SelfSubjectAccessReviewSpec) }),
        ["SelfSubjectRulesReview"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, SelfSubjectRulesReviewSpec) }),
        ["SelfSubjectReview"] = WithMeta(new()),
        ["TokenRequest"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, TokenRequestSpec) }),
        ["ConfigMap"] = WithMeta(new()
        {
            [2] = new("data", ProtoKind.StringMap), [3] = new("binaryData", ProtoKind.BytesMap), [4] = new("immutable", ProtoKind.Bool, Pointer: true),
        }),
        ["Secret"] = WithMeta(new()
        {
            [2] = new("data", ProtoKind.BytesMap), [3] = new("type", ProtoKind.String), [4] = new("stringData", ProtoKind.StringMap),
            [5] = new("immutable", ProtoKind.Bool, Pointer: true),
        }),
        ["Namespace"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, NamespaceSpec) }),
        ["ServiceAccount"] = WithMeta(new()
        {
            [3] = new("imagePullSecrets", ProtoKind.Message, LocalObjectReference, Repeated: true),
            [4] = new("automountServiceAccountToken", ProtoKind.Bool, Pointer: true),
        }),
        ["Deployment"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, DeploymentSpec) }),
        ["Job"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, JobSpec) }),
        ["autoscaling/v1 HorizontalPodAutoscaler"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, HorizontalPodAutoscalerSpecV1) }),
        ["autoscaling/v2 HorizontalPodAutoscaler"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, HorizontalPodAutoscalerSpecV2) }),
        ["CronJob"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, CronJobSpec) }),
        ["Service"] = WithMeta(new() { [2] = new("spec", ProtoKind.Message, ServiceSpec) }),
        ["DeleteOptions"] = new ProtoMessage(new()
        {
            [1] = new("gracePeriodSeconds", ProtoKind.Int64, Pointer: true), [3] = new("orphanDependents", ProtoKind.Bool, Pointer: true),
            [4] = new("propagationPolicy", ProtoKind.String), [5] = new("dryRun", ProtoKind.String, Repeated: true),
        }),
    };
}
