using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>How an infrastructure provider's cluster object reports readiness (by the status schema of its CRD).</summary>
internal enum ReadinessStyle
{
    /// <summary>v1beta2 contract: status.initialization.provisioned and a metav1 Ready condition (CAPO, CAPV, CAPM3).</summary>
    V1Beta2,
    /// <summary>v1beta1 contract: status.ready and Cluster API v1beta1 conditions with severity (CAPA, CAPG).</summary>
    V1Beta1Conditions,
    /// <summary>status.ready only, no conditions (CAPZ's ASO managed kinds: failures live in status.resources).</summary>
    ReadyOnly,
}

/// <summary>A provider's cluster kind: readiness style, whether its endpoint comes from a managed control plane, its failure reason.</summary>
internal sealed record InfraClusterKind(string Provider, ReadinessStyle Style, bool Managed, string FailureReason, string ProviderIdScheme);

/// <summary>A managed control plane kind (EKS, AKS through ASO, GKE).</summary>
internal sealed record ManagedControlPlaneKind(string Provider, ReadinessStyle Style, string ReadyCondition, string FailureReason, string[] VersionPath);

internal static class InfrastructureProviders
{
    // Failure reasons are the providers' own constants:
    // CAPO api/v1beta1/conditions_consts.go OpenStackErrorReason = "OpenStackError";
    // CAPV apis/v1beta1/condition_consts.go VCenterUnreachableReason = "VCenterUnreachable";
    // CAPM3 api/v1beta1/metal3cluster_types.go InternalFailureReason = "InternalFailure";
    // CAPA exp/api/.../conditions_consts.go EKSControlPlaneReconciliationFailedReason = "EKSControlPlaneReconciliationFailed";
    // CAPG exp/api/v1beta1/conditions_consts.go GKEControlPlaneReconciliationFailedReason = "GKEControlPlaneReconciliationFailed".
    public static readonly Dictionary<string, InfraClusterKind> ClusterKinds = new()
    {
        ["infrastructure.cluster.x-k8s.io/openstackclusters"] = new("openstack", ReadinessStyle.V1Beta2, false, "OpenStackError", "openstack:///"),
        ["infrastructure.cluster.x-k8s.io/vsphereclusters"] = new("vsphere", ReadinessStyle.V1Beta2, false, "VCenterUnreachable", "vsphere://"),
        ["infrastructure.cluster.x-k8s.io/metal3clusters"] = new("metal3", ReadinessStyle.V1Beta2, false, "InternalFailure", "metal3://"),
        ["infrastructure.cluster.x-k8s.io/awsmanagedclusters"] = new("aws", ReadinessStyle.V1Beta1Conditions, true, "EKSControlPlaneReconciliationFailed", "aws:///eu-west-1a/"),
        ["infrastructure.cluster.x-k8s.io/azureasomanagedclusters"] = new("azure", ReadinessStyle.ReadyOnly, true, "", "azure:///"),
        ["infrastructure.cluster.x-k8s.io/gcpmanagedclusters"] = new("gcp", ReadinessStyle.V1Beta1Conditions, true, "GKEControlPlaneReconciliationFailed", "gce://"),
    };

    public static readonly Dictionary<string, ManagedControlPlaneKind> ControlPlaneKinds = new()
    {
        ["controlplane.cluster.x-k8s.io/awsmanagedcontrolplanes"] = new("aws", ReadinessStyle.V1Beta1Conditions, "EKSControlPlaneReady", "EKSControlPlaneReconciliationFailed", ["spec", "version"]),
        ["infrastructure.cluster.x-k8s.io/azureasomanagedcontrolplanes"] = new("azure", ReadinessStyle.ReadyOnly, "", "", ["spec", "version"]),
        ["infrastructure.cluster.x-k8s.io/gcpmanagedcontrolplanes"] = new("gcp", ReadinessStyle.V1Beta1Conditions, "GKEControlPlaneReady", "GKEControlPlaneReconciliationFailed", ["spec", "controlPlaneVersion"]),
    };

    /// <summary>Managed machine pools (EKS node groups, AKS agent pools, GKE node pools), owned by a MachinePool.</summary>
    public static readonly Dictionary<string, string> PoolKinds = new()
    {
        ["infrastructure.cluster.x-k8s.io/awsmanagedmachinepools"] = "aws",
        ["infrastructure.cluster.x-k8s.io/azureasomanagedmachinepools"] = "azure",
        ["infrastructure.cluster.x-k8s.io/gcpmanagedmachinepools"] = "gcp",
    };

    /// <summary>Whether a provider's cluster (or pool) object reports ready, by its style.</summary>
    public static bool IsReady(JsonObject obj) =>
        obj.Bool("status", "initialization", "provisioned") == true || obj.Bool("status", "ready") == true;
}

internal static class ManagedControlPlane
{
    public static Dictionary<string, ManagedControlPlaneKind> Kinds => InfrastructureProviders.ControlPlaneKinds;
}

internal sealed partial class ClusterApiController
{
    /// <summary>The Cluster that owns a provider object (its owner reference, set by the cluster controller).</summary>
    JsonObject? OwnerCluster(JsonObject obj)
    {
        var owner = obj.At("metadata", "ownerReferences").Objects().FirstOrDefault(r => r.Str("kind") == "Cluster");
        return owner is null ? null : Get(CoreGroup, "clusters", obj.Namespace(), owner.Str("name")!);
    }

    string ClusterVersion(JsonObject capiCluster, JsonObject? controlPlane) =>
        controlPlane?.Str("spec", "version") ?? controlPlane?.Str("spec", "controlPlaneVersion") ?? capiCluster.Str("spec", "topology", "version") ?? Cluster.Options.KubernetesVersion;

    /// <summary>Options of a provisioned cluster: the management cluster's timings, no node until machines join.</summary>
    KubeSimOptions WorkloadOptions(JsonObject capiCluster, string version) =>
        (Cluster.Options.WorkloadClusterOptions ?? new KubeSimOptions { TimeProvider = Cluster.Options.TimeProvider }) with
        {
            Name = capiCluster.Name(), Nodes = 0, SeedPods = 0, Port = 0, KubernetesVersion = NormalizeVersion(version),
            WorkloadClusterOptions = null,
        };

    internal static string NormalizeVersion(string version) => version.StartsWith('v') ? version : "v" + version;

    /// <summary>
    /// The infrastructure provider's cluster reconciler: waits for the Cluster's owner reference (as every provider
    /// does), then "creates the network and load balancer" (a step), starts the workload cluster behind the endpoint
    /// it reports (not answering until the control plane is initialized) and turns ready. The
    /// <c>kubesim.cocktail.io/provision-failure</c> annotation on the Cluster makes it fail the way the provider reports.
    /// </summary>
    void ReconcileInfrastructureCluster(string storageKey, string key)
    {
        var (ns, name) = Split(key);
        var type = TypeOfStorageKey(storageKey);
        var kind = InfrastructureProviders.ClusterKinds[storageKey];
        if (type is null || Cluster.Registry.TryGet(type, ns, name) is not { } infra) return;
        if (infra.IsDeleting())
        {
            Forget(infra.Uid());
            return;
        }
        var capiCluster = OwnerCluster(infra);
        if (capiCluster is null) return; // "Cluster Controller has not yet set OwnerRef"
        if (InfrastructureProviders.IsReady(infra)) return;
        var clusterKey = $"{ns}/{capiCluster.Name()}";
        var failure = Annotation(capiCluster, ProvisionFailureAnnotation);
        var now = Now;
        if (failure.Length > 0)
        {
            if (!Due($"Infra|{storageKey}|{key}", infra.Uid(), "fail")) return;
            if (kind.Managed) return; // a managed cluster's failure is its control plane's (see ReconcileManagedControlPlane)
            var wasFailed = Condition(infra, "Ready")?.Str("reason") == kind.FailureReason;
            WriteStatus(type, infra, o => MarkInfraFailed(o, kind, failure, now));
            if (!wasFailed) _events.Warning(infra, type.Kind, kind.FailureReason, failure, $"{kind.Provider}-controller");
            return;
        }
        JsonObject? endpointSource = null;
        if (kind.Managed)
        {
            // EKS/AKS/GKE: the managed cluster reports ready once its control plane has an endpoint.
            var (_, cp) = Resolve(capiCluster.At("spec", "controlPlaneRef"), ns);
            if (cp is null || Endpoint(cp) is not { } cpEndpoint) return;
            endpointSource = cpEndpoint;
        }
        else
        {
            if (!Due($"Infra|{storageKey}|{key}", infra.Uid(), "provision")) return;
            var (_, cp) = Resolve(capiCluster.At("spec", "controlPlaneRef"), ns);
            var workload = Cluster.WorkloadClusters.Ensure(clusterKey, capiCluster.Uid(), WorkloadOptions(capiCluster, ClusterVersion(capiCluster, cp)),
                () => Enqueue($"Infra|{storageKey}|{key}"));
            if (workload is null) return;
            endpointSource = new JsonObject { ["host"] = "127.0.0.1", ["port"] = workload.Port };
        }
        infra = WriteObject(type, infra, o => o.Obj("spec")["controlPlaneEndpoint"] = endpointSource.DeepClone());
        WriteStatus(type, infra, o => MarkInfraReady(o, kind, now));
    }

    static JsonObject? Endpoint(JsonObject obj)
    {
        foreach (var path in new[] { new[] { "spec", "controlPlaneEndpoint" }, ["status", "controlPlaneEndpoint"], ["spec", "endpoint"] })
            if (obj.At(path) is JsonObject e && e.Str("host") is { Length: > 0 } && (e.Long("port") ?? 0) > 0) return e;
        return null;
    }

    static void MarkInfraReady(JsonObject infra, InfraClusterKind kind, string now)
    {
        var status = infra.Obj("status");
        switch (kind.Style)
        {
            case ReadinessStyle.V1Beta2:
                status.Obj("initialization")["provisioned"] = true;
                SetCondition(infra, "Ready", "True", "Ready", "", now);
                break;
            case ReadinessStyle.V1Beta1Conditions:
                status["ready"] = true;
                SetV1Beta1Condition(infra, "Ready", "True", null, null, null, now);
                break;
            default:
                status["ready"] = true;
                break;
        }
    }

    static void MarkInfraFailed(JsonObject infra, InfraClusterKind kind, string message, string now)
    {
        switch (kind.Style)
        {
            case ReadinessStyle.V1Beta2:
                infra.Obj("status").Obj("initialization")["provisioned"] = false;
                SetCondition(infra, "Ready", "False", kind.FailureReason, message, now);
                break;
            case ReadinessStyle.V1Beta1Conditions:
                infra.Obj("status")["ready"] = false;
                SetV1Beta1Condition(infra, "Ready", "False", kind.FailureReason, "Error", message, now);
                break;
            default:
                infra.Obj("status")["ready"] = false;
                break;
        }
    }

    /// <summary>
    /// A managed control plane (EKS, AKS, GKE): created in one step (the workload cluster starts and answers),
    /// then ready and initialized with its endpoint; a version change is an in-place upgrade taking a few steps.
    /// </summary>
    void ReconcileManagedControlPlane(string storageKey, string key)
    {
        var (ns, name) = Split(key);
        var type = TypeOfStorageKey(storageKey);
        var kind = ManagedControlPlane.Kinds[storageKey];
        if (type is null || Cluster.Registry.TryGet(type, ns, name) is not { } cp) return;
        if (cp.IsDeleting()) { Forget(cp.Uid()); return; }
        var capiCluster = OwnerCluster(cp);
        if (capiCluster is null) return;
        var clusterKey = $"{ns}/{capiCluster.Name()}";
        var cpKey = $"ManagedCP|{storageKey}|{key}";
        var now = Now;
        var desiredVersion = NormalizeVersion(cp.At(kind.VersionPath)?.ToString() ?? Cluster.Options.KubernetesVersion);
        var failure = Annotation(capiCluster, ProvisionFailureAnnotation);
        if (failure.Length > 0)
        {
            if (!Due(cpKey, cp.Uid(), "fail")) return;
            var infra = Resolve(capiCluster.At("spec", "infrastructureRef"), ns);
            var failed = false;
            WriteStatus(type, cp, o =>
            {
                o.Obj("status")["ready"] = false;
                o.Obj("status")["initialized"] = false;
                if (kind.Style == ReadinessStyle.V1Beta1Conditions)
                {
                    failed = Condition(o, kind.ReadyCondition)?.Str("reason") == kind.FailureReason;
                    SetV1Beta1Condition(o, kind.ReadyCondition, "False", kind.FailureReason, "Error", failure, now);
                    SetV1Beta1Condition(o, "Ready", "False", kind.FailureReason, "Error", failure, now);
                    if (kind.Provider == "aws") o.Obj("status")["failureMessage"] = failure;
                }
            });
            if (infra is { Type: { } infraType, Object: { } infraObject } &&
                InfrastructureProviders.ClusterKinds.TryGetValue(infraType.StorageKey, out var infraKind))
                WriteStatus(infraType, infraObject, o => MarkInfraFailed(o, infraKind with { FailureReason = kind.FailureReason.Length > 0 ? kind.FailureReason : infraKind.FailureReason }, failure, now));
            if (!failed) _events.Warning(cp, type.Kind, kind.FailureReason.Length > 0 ? kind.FailureReason : "ReconcileError", failure, $"{kind.Provider}-controller");
            return;
        }
        var workload = Cluster.WorkloadClusters.Get(clusterKey);
        var ready = cp.Bool("status", "ready") == true;
        if (!ready)
        {
            if (!Due(cpKey, cp.Uid(), "create")) return;
            workload = Cluster.WorkloadClusters.Ensure(clusterKey, capiCluster.Uid(), WorkloadOptions(capiCluster, desiredVersion), () => Enqueue(cpKey));
            if (workload is null) return;
            if (!Cluster.WorkloadClusters.EnsureAnswering(clusterKey, () => Enqueue(cpKey))) return;
            var endpoint = new JsonObject { ["host"] = "127.0.0.1", ["port"] = workload.Port };
            cp = WriteObject(type, cp, o =>
            {
                if (kind.Provider == "aws") o.Obj("spec")["controlPlaneEndpoint"] = endpoint.DeepClone();
                if (kind.Provider == "gcp") o.Obj("spec")["endpoint"] = endpoint.DeepClone();
            });
            WriteStatus(type, cp, o =>
            {
                var status = o.Obj("status");
                status["ready"] = true;
                status["initialized"] = true;
                if (kind.Provider == "azure") status["controlPlaneEndpoint"] = endpoint.DeepClone();
                if (kind.Provider == "gcp") status["currentVersion"] = desiredVersion.TrimStart('v');
                status["version"] = kind.Provider == "aws" ? desiredVersion : desiredVersion.TrimStart('v');
                if (kind.Style == ReadinessStyle.V1Beta1Conditions)
                {
                    SetV1Beta1Condition(o, kind.ReadyCondition, "True", null, null, null, now);
                    SetV1Beta1Condition(o, "Ready", "True", null, null, null, now);
                }
            });
            EnsureKubeconfigSecret(capiCluster, cp, type.Kind, type.GroupVersion, workload);
            return;
        }
        if (workload is null) return;
        EnsureKubeconfigSecret(capiCluster, cp, type.Kind, type.GroupVersion, workload);
        // In-place upgrade of the managed control plane (EKS UpdateClusterVersion and the like).
        var reported = NormalizeVersion(cp.Str("status", "version") ?? desiredVersion);
        if (reported != desiredVersion)
        {
            if (!Due(cpKey, cp.Uid(), "upgrade:" + desiredVersion, Step * 2)) return;
            workload.Runtime.KubernetesVersion = desiredVersion;
            WriteStatus(type, cp, o =>
            {
                o.Obj("status")["version"] = kind.Provider == "aws" ? desiredVersion : desiredVersion.TrimStart('v');
                if (kind.Provider == "gcp") o.Obj("status")["currentVersion"] = desiredVersion.TrimStart('v');
            });
        }
    }
}
