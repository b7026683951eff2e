using System.Globalization;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workloads;
using Cocktail.Domain.Workloads;
using Cocktail.Domain.Tenancy;
using k8s;
using k8s.Models;

namespace Cocktail.Infrastructure.Workloads;

/// <summary>
/// A workload spec as the Kubernetes objects Cocktail applies: the workload (Deployment, StatefulSet, Job or
/// CronJob), and its optional Service, Ingress and HorizontalPodAutoscaler, all named after the workload. Pods
/// are selected by the workload's id, which never changes, so the selector (immutable on the cluster) is stable.
/// </summary>
public static class WorkloadObjects
{
    public const string GpuResource = ResourceQuotaKeys.GpuResource;

    public sealed record Set(IKubernetesObject<V1ObjectMeta> Workload, V1Service? Service, V1Ingress? Ingress, V2HorizontalPodAutoscaler? Autoscaler);

    /// <summary>The objects for a manifest; with an id and namespace of null, the portable form (for YAML shown to people).</summary>
    public static Set For(WorkloadManifest manifest) => Build(manifest.Spec, manifest.WorkloadId, manifest.Namespace, manifest.Revision);

    public static Set Portable(WorkloadSpec spec) => Build(spec, null, null, null);

    private static Set Build(WorkloadSpec spec, Guid? id, string? ns, int? revision)
    {
        var selector = id is { } workloadId
            ? new Dictionary<string, string> { [WorkloadLabels.Workload] = workloadId.ToString() }
            : new Dictionary<string, string> { [WorkloadLabels.Name] = spec.Name };
        var podLabels = new Dictionary<string, string>(spec.Labels ?? new Dictionary<string, string>()) { [WorkloadLabels.Name] = spec.Name };
        foreach (var (key, value) in selector) podLabels[key] = value;
        var objectLabels = new Dictionary<string, string>(podLabels);
        if (id is not null)
        {
            objectLabels[ServiceMapManifest.ManagedByLabel] = "cocktail";
            objectLabels[WorkloadLabels.Revision] = revision!.Value.ToString(CultureInfo.InvariantCulture);
        }
        V1ObjectMeta Meta() => new() { Name = spec.Name, NamespaceProperty = ns, Labels = new Dictionary<string, string>(objectLabels) };
        var template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = podLabels }, Spec = PodSpec(spec) };

        IKubernetesObject<V1ObjectMeta> workload = spec.Kind switch
        {
            WorkloadKind.Deployment => new V1Deployment
            {
                ApiVersion = "apps/v1", Kind = "Deployment", Metadata = Meta(),
                Spec = new V1DeploymentSpec { Replicas = Replicas(spec, id is null), Selector = new V1LabelSelector { MatchLabels = selector }, Template = template },
            },
            WorkloadKind.StatefulSet => new V1StatefulSet
            {
                ApiVersion = "apps/v1", Kind = "StatefulSet", Metadata = Meta(),
                Spec = new V1StatefulSetSpec
                {
                    Replicas = Replicas(spec, id is null), ServiceName = spec.Name, Selector = new V1LabelSelector { MatchLabels = selector }, Template = template,
                },
            },
            WorkloadKind.Job => new V1Job
            {
                ApiVersion = "batch/v1", Kind = "Job", Metadata = Meta(),
                Spec = new V1JobSpec { Template = WithRestartPolicy(template) },
            },
            _ => new V1CronJob
            {
                ApiVersion = "batch/v1", Kind = "CronJob", Metadata = Meta(),
                Spec = new V1CronJobSpec
                {
                    Schedule = spec.Schedule,
                    JobTemplate = new V1JobTemplateSpec { Metadata = new V1ObjectMeta { Labels = podLabels }, Spec = new V1JobSpec { Template = WithRestartPolicy(template) } },
                },
            },
        };

        var service = spec.Service is { } s ? new V1Service
        {
            ApiVersion = "v1", Kind = "Service", Metadata = Meta(),
            Spec = new V1ServiceSpec
            {
                Type = s.Type,
                Selector = selector,
                Ports = (s.Ports ?? []).Select(p => new V1ServicePort
                {
                    Port = p.Port, TargetPort = p.TargetPort, Protocol = p.Protocol,
                    Name = p.Name ?? ((s.Ports ?? []).Count > 1 ? $"port-{p.Port}" : null),
                }).ToList(),
            },
        } : null;

        var ingress = spec.Ingress is { } i ? new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1", Kind = "Ingress", Metadata = Meta(),
            Spec = new V1IngressSpec
            {
                IngressClassName = i.ClassName,
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = i.Host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    Path = i.Path, PathType = "Prefix",
                                    Backend = new V1IngressBackend
                                    {
                                        Service = new V1IngressServiceBackend { Name = spec.Name, Port = new V1ServiceBackendPort { Number = i.ServicePort } },
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
        } : null;

        var autoscaler = spec.Autoscaler is { } a && spec.Scalable ? new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2", Kind = "HorizontalPodAutoscaler", Metadata = Meta(),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = spec.Kind.ToString(), Name = spec.Name },
                MinReplicas = a.MinReplicas,
                MaxReplicas = a.MaxReplicas,
                Metrics =
                [
                    new V2MetricSpec
                    {
                        Type = "Resource",
                        Resource = new V2ResourceMetricSource
                        {
                            Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = a.CpuTargetPercent },
                        },
                    },
                ],
            },
        } : null;

        return new Set(workload, service, ingress, autoscaler);
    }

    /// <summary>
    /// With an autoscaler the replicas belong to it: Cocktail's apply leaves them out. The portable form keeps what
    /// the spec says, so that reading it back gives the same spec (the count to return to without the autoscaler).
    /// </summary>
    private static int? Replicas(WorkloadSpec spec, bool portable) =>
        portable ? spec.Replicas : spec.Autoscaler is null ? spec.DesiredReplicas : null;

    private static V1PodTemplateSpec WithRestartPolicy(V1PodTemplateSpec template)
    {
        template.Spec.RestartPolicy = "Never";
        return template;
    }

    private static V1PodSpec PodSpec(WorkloadSpec spec) => new()
    {
        Containers = spec.Containers.Select(Container).ToList(),
        Volumes = spec.Volumes is { Count: > 0 } volumes ? volumes.Select(Volume).ToList() : null,
        HostNetwork = spec.HostNetwork ? true : null,
        HostPID = spec.HostPid ? true : null,
        HostIPC = spec.HostIpc ? true : null,
    };

    private static V1Container Container(ContainerSpec c) => new()
    {
        Name = c.Name,
        Image = c.Image,
        Command = c.Command is { Count: > 0 } ? c.Command.ToList() : null,
        Args = c.Args is { Count: > 0 } ? c.Args.ToList() : null,
        Env = c.Env is { Count: > 0 } ? c.Env.Select(e => new V1EnvVar { Name = e.Name, Value = e.Value }).ToList() : null,
        Ports = c.Ports is { Count: > 0 } ? c.Ports.Select(p => new V1ContainerPort { ContainerPort = p.ContainerPort, Name = p.Name, Protocol = p.Protocol }).ToList() : null,
        Resources = Resources(c.Resources),
        LivenessProbe = Probe(c.Probes?.Liveness),
        ReadinessProbe = Probe(c.Probes?.Readiness),
        SecurityContext = SecurityContext(c.SecurityContext),
        VolumeMounts = c.VolumeMounts is { Count: > 0 } ? c.VolumeMounts.Select(m => new V1VolumeMount { Name = m.Name, MountPath = m.MountPath, ReadOnlyProperty = m.ReadOnly ? true : null }).ToList() : null,
    };

    private static V1ResourceRequirements? Resources(Resources? resources)
    {
        var requests = Quantities(resources?.Requests);
        var limits = Quantities(resources?.Limits);
        return requests is null && limits is null ? null : new V1ResourceRequirements { Requests = requests, Limits = limits };
    }

    private static Dictionary<string, ResourceQuantity>? Quantities(ResourceList? list)
    {
        if (list is null) return null;
        var quantities = new Dictionary<string, ResourceQuantity>();
        if (list.Cpu is { } cpu) quantities["cpu"] = new ResourceQuantity(cpu);
        if (list.Memory is { } memory) quantities["memory"] = new ResourceQuantity(memory);
        if (list.Gpu is { } gpu) quantities[GpuResource] = new ResourceQuantity(gpu);
        return quantities.Count == 0 ? null : quantities;
    }

    private static V1Probe? Probe(Probe? probe) => probe is null ? null : new V1Probe
    {
        Exec = probe.Exec is { Count: > 0 } exec ? new V1ExecAction { Command = exec.ToList() } : null,
        HttpGet = probe.Exec is not { Count: > 0 } && probe.HttpPath is { } path ? new V1HTTPGetAction { Path = path, Port = probe.Port } : null,
        TcpSocket = probe.Exec is not { Count: > 0 } && probe.HttpPath is null && probe.Port is { } port ? new V1TCPSocketAction { Port = port } : null,
        InitialDelaySeconds = probe.InitialDelaySeconds > 0 ? probe.InitialDelaySeconds : null,
        PeriodSeconds = probe.PeriodSeconds,
    };

    private static V1SecurityContext? SecurityContext(SecurityContext? sc) => sc is null ? null : new V1SecurityContext
    {
        Privileged = sc.Privileged,
        AllowPrivilegeEscalation = sc.AllowPrivilegeEscalation,
        RunAsNonRoot = sc.RunAsNonRoot,
        RunAsUser = sc.RunAsUser,
        Capabilities = sc.AddCapabilities is { Count: > 0 } || sc.DropCapabilities is { Count: > 0 }
            ? new V1Capabilities
            {
                Add = sc.AddCapabilities is { Count: > 0 } add ? add.ToList() : null,
                Drop = sc.DropCapabilities is { Count: > 0 } drop ? drop.ToList() : null,
            }
            : null,
        SeccompProfile = sc.SeccompProfile is { } profile ? new V1SeccompProfile { Type = profile } : null,
    };

    private static V1Volume Volume(Volume v) => new()
    {
        Name = v.Name,
        HostPath = v.HostPath is { } path ? new V1HostPathVolumeSource { Path = path } : null,
        EmptyDir = v.EmptyDir ? new V1EmptyDirVolumeSource() : null,
        ConfigMap = v.ConfigMap is { } configMap ? new V1ConfigMapVolumeSource { Name = configMap } : null,
        PersistentVolumeClaim = v.PersistentVolumeClaim is { } claim ? new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } : null,
    };
}
