namespace Cocktail.Domain.Workloads;

public enum WorkloadKind { Deployment, StatefulSet, Job, CronJob }

public sealed record EnvVar(string Name, string? Value);

public sealed record PortSpec(int ContainerPort, string? Name = null, string Protocol = "TCP");

/// <summary>cpu, memory and nvidia.com/gpu (as "gpu") as Kubernetes quantities.</summary>
public sealed record ResourceList(string? Cpu = null, string? Memory = null, string? Gpu = null);

public sealed record Resources(ResourceList? Requests = null, ResourceList? Limits = null);

/// <summary>One of httpGet (path + port), tcpSocket (port) or exec (command).</summary>
public sealed record Probe(string? HttpPath = null, int? Port = null, IReadOnlyList<string>? Exec = null, int InitialDelaySeconds = 0, int PeriodSeconds = 10);

public sealed record Probes(Probe? Liveness = null, Probe? Readiness = null);

public sealed record SecurityContext(
    bool? Privileged = null, bool? AllowPrivilegeEscalation = null, bool? RunAsNonRoot = null, long? RunAsUser = null,
    IReadOnlyList<string>? AddCapabilities = null, IReadOnlyList<string>? DropCapabilities = null, string? SeccompProfile = null);

public sealed record VolumeMount(string Name, string MountPath, bool ReadOnly = false);

public sealed record ContainerSpec(
    string Name, string Image, IReadOnlyList<string>? Command = null, IReadOnlyList<string>? Args = null,
    IReadOnlyList<EnvVar>? Env = null, IReadOnlyList<PortSpec>? Ports = null, Resources? Resources = null,
    Probes? Probes = null, SecurityContext? SecurityContext = null, IReadOnlyList<VolumeMount>? VolumeMounts = null);

/// <summary>A pod volume: emptyDir, a configMap, a persistent volume claim, or a hostPath.</summary>
public sealed record Volume(string Name, string? HostPath = null, bool EmptyDir = false, string? ConfigMap = null, string? PersistentVolumeClaim = null);

public sealed record ServicePort(int Port, int TargetPort, string? Name = null, string Protocol = "TCP");

public sealed record ServiceSpec(string Type = "ClusterIP", IReadOnlyList<ServicePort>? Ports = null);

public sealed record IngressSpec(string Host, string Path = "/", int ServicePort = 80, string? ClassName = null);

public sealed record AutoscalerSpec(int MinReplicas, int MaxReplicas, int CpuTargetPercent);

/// <summary>
/// Everything Cocktail wants a workload to be, in one value: each revision's event carries it whole, so any
/// revision can be shown, compared with its predecessor, or restored.
/// </summary>
public sealed record WorkloadSpec(
    string Name,
    WorkloadKind Kind,
    IReadOnlyList<ContainerSpec> Containers,
    int? Replicas = null,
    string? Schedule = null,
    IReadOnlyList<Volume>? Volumes = null,
    bool HostNetwork = false,
    bool HostPid = false,
    bool HostIpc = false,
    ServiceSpec? Service = null,
    IngressSpec? Ingress = null,
    AutoscalerSpec? Autoscaler = null,
    IReadOnlyDictionary<string, string>? Labels = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Scalable => Kind is WorkloadKind.Deployment or WorkloadKind.StatefulSet;

    /// <summary>The replicas the cluster should run when no autoscaler decides.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int DesiredReplicas => Scalable ? Replicas ?? 1 : 1;

    /// <summary>
    /// Equal content (records compare lists by reference, so this compares the serialized forms). An empty list or map
    /// means the same as none: a spec sent with <c>"env": []</c> is not a new revision of one sent without it.
    /// </summary>
    public bool SameAs(WorkloadSpec other) =>
        System.Text.Json.JsonSerializer.Serialize(this, ContentOnly) == System.Text.Json.JsonSerializer.Serialize(other, ContentOnly);

    private static readonly System.Text.Json.JsonSerializerOptions ContentOnly = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    foreach (var property in info.Properties)
                        if (property.PropertyType != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType))
                            property.ShouldSerialize = (_, value) => value is System.Collections.IEnumerable items && items.GetEnumerator().MoveNext();
                },
            },
        },
    };
}
