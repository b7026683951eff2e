using System.Reflection;
using System.Text.Json.Serialization;
using Cocktail.Application.Workloads;
using Cocktail.Domain.Workloads;
using Cocktail.Infrastructure.Parsing;
using k8s;
using k8s.Models;

namespace Cocktail.Infrastructure.Workloads;

/// <summary>
/// Reads Kubernetes YAML into a workload spec and writes a spec back as YAML. A field the spec cannot carry is
/// refused with its path, never silently dropped: what Cocktail deploys is exactly what was submitted.
/// Cocktail names the Service, Ingress and autoscaler after the workload and chooses the selector itself.
/// </summary>
public sealed class WorkloadYaml : IWorkloadYaml
{
    private const string Field = "yaml";
    private const int MaxLength = 512 * 1024;

    public string Write(WorkloadSpec spec)
    {
        var set = WorkloadObjects.Portable(spec);
        var documents = new List<object> { set.Workload };
        if (set.Service is not null) documents.Add(set.Service);
        if (set.Ingress is not null) documents.Add(set.Ingress);
        if (set.Autoscaler is not null) documents.Add(set.Autoscaler);
        return string.Join("---\n", documents.Select(KubernetesYaml.Serialize).Select(d => d.EndsWith('\n') ? d : d + "\n"));
    }

    public (WorkloadSpec? Spec, IReadOnlyDictionary<string, string[]>? Errors) Read(string yaml)
    {
        if (BoundedYaml.Check(yaml, MaxLength, objects: true) is { } unreadable) return Fail(unreadable);
        List<object> documents;
        try
        {
            documents = KubernetesYaml.LoadAllFromString(yaml).Where(d => d is not null).ToList();
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or ArgumentException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return Fail($"The YAML could not be read: {Plain(e)}");
        }
        catch (Exception e) when (e.Message.Contains("Unknown", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("kind", StringComparison.OrdinalIgnoreCase))
        {
            return Fail($"The YAML could not be read: {Plain(e)}");
        }

        var problems = new List<string>();
        var workloads = documents.Where(d => d is V1Deployment or V1StatefulSet or V1Job or V1CronJob).ToList();
        var services = documents.OfType<V1Service>().ToList();
        var ingresses = documents.OfType<V1Ingress>().ToList();
        var autoscalers = documents.OfType<V2HorizontalPodAutoscaler>().ToList();
        foreach (var other in documents.Except(workloads).Except(services).Except(ingresses).Except(autoscalers))
            problems.Add($"{Describe(other)}: Cocktail deploys a Deployment, StatefulSet, Job or CronJob with at most one Service, Ingress and HorizontalPodAutoscaler (autoscaling/v2).");
        if (workloads.Count != 1)
            problems.Add(workloads.Count == 0 ? "Give one Deployment, StatefulSet, Job or CronJob." : "Give one workload per deployment; this YAML has " + workloads.Count + ".");
        if (services.Count > 1) problems.Add("At most one Service.");
        if (ingresses.Count > 1) problems.Add("At most one Ingress.");
        if (autoscalers.Count > 1) problems.Add("At most one HorizontalPodAutoscaler.");
        if (problems.Count > 0) return (null, new Dictionary<string, string[]> { [Field] = problems.ToArray() });

        var reader = new Reader();
        var spec = reader.Workload(workloads[0]);
        spec = spec with
        {
            Service = services.Count == 1 ? reader.Service(services[0], spec.Name) : null,
            Ingress = ingresses.Count == 1 ? reader.Ingress(ingresses[0], spec.Name) : null,
            Autoscaler = autoscalers.Count == 1 ? reader.Autoscaler(autoscalers[0], spec) : spec.Autoscaler,
        };
        return reader.Problems.Count > 0 ? (null, new Dictionary<string, string[]> { [Field] = reader.Problems.Distinct().ToArray() }) : (spec, null);
    }

    private static (WorkloadSpec?, IReadOnlyDictionary<string, string[]>?) Fail(string message) =>
        (null, new Dictionary<string, string[]> { [Field] = [message] });

    private static string Plain(Exception e) => e.GetBaseException().Message.Split('\n')[0];

    private static string Describe(object o) => o is IKubernetesObject k ? $"{k.Kind} ({k.ApiVersion})" : o.GetType().Name;

    /// <summary>Maps the objects, collecting every problem with the path of the field.</summary>
    private sealed class Reader
    {
        public List<string> Problems { get; } = [];

        public WorkloadSpec Workload(object document)
        {
            var (kind, meta, path) = document switch
            {
                V1Deployment d => (WorkloadKind.Deployment, d.Metadata, "Deployment"),
                V1StatefulSet s => (WorkloadKind.StatefulSet, s.Metadata, "StatefulSet"),
                V1Job j => (WorkloadKind.Job, j.Metadata, "Job"),
                _ => (WorkloadKind.CronJob, ((V1CronJob)document).Metadata, "CronJob"),
            };
            var name = meta?.Name ?? "";
            if (name.Length == 0) Problems.Add($"{path}.metadata.name: name the workload.");
            Metadata(meta, path);
            int? replicas = null;
            string? schedule = null;
            V1PodTemplateSpec? template;
            switch (document)
            {
                case V1Deployment d:
                    Only(d.Spec, $"{path}.spec", "replicas", "selector", "template");
                    (replicas, template) = (d.Spec?.Replicas, d.Spec?.Template);
                    break;
                case V1StatefulSet s:
                    Only(s.Spec, $"{path}.spec", "replicas", "selector", "template", "serviceName");
                    (replicas, template) = (s.Spec?.Replicas, s.Spec?.Template);
                    break;
                case V1Job j:
                    Only(j.Spec, $"{path}.spec", "template");
                    template = j.Spec?.Template;
                    break;
                default:
                    var c = (V1CronJob)document;
                    Only(c.Spec, $"{path}.spec", "schedule", "jobTemplate");
                    Only(c.Spec?.JobTemplate?.Spec, $"{path}.spec.jobTemplate.spec", "template");
                    (schedule, template) = (c.Spec?.Schedule, c.Spec?.JobTemplate?.Spec?.Template);
                    break;
            }
            var templatePath = kind == WorkloadKind.CronJob ? $"{path}.spec.jobTemplate.spec.template" : $"{path}.spec.template";
            if (template?.Spec is null) Problems.Add($"{templatePath}.spec: the pod template is missing.");
            Only(template?.Metadata, $"{templatePath}.metadata", "labels");
            var pod = template?.Spec;
            Only(pod, $"{templatePath}.spec", "containers", "volumes", "hostNetwork", "hostPID", "hostIPC", "restartPolicy");
            var labels = Labels(meta?.Labels, template?.Metadata?.Labels);
            return new WorkloadSpec(
                name, kind,
                (pod?.Containers ?? []).Select((c, i) => Container(c, $"{templatePath}.spec.containers[{i}]")).ToList(),
                replicas, schedule,
                pod?.Volumes is { Count: > 0 } volumes ? volumes.Select((v, i) => Volume(v, $"{templatePath}.spec.volumes[{i}]")).ToList() : null,
                pod?.HostNetwork ?? false, pod?.HostPID ?? false, pod?.HostIPC ?? false,
                Labels: labels.Count > 0 ? labels : null);
        }

        public ServiceSpec Service(V1Service service, string workload)
        {
            SameName(service.Metadata, "Service", workload);
            Metadata(service.Metadata, "Service");
            Only(service.Spec, "Service.spec", "type", "ports", "selector");
            return new ServiceSpec(service.Spec?.Type ?? "ClusterIP", (service.Spec?.Ports ?? []).Select((p, i) =>
            {
                Only(p, $"Service.spec.ports[{i}]", "port", "targetPort", "name", "protocol");
                var target = p.TargetPort is null ? p.Port : Port(p.TargetPort, $"Service.spec.ports[{i}].targetPort");
                return new ServicePort(p.Port, target, p.Name, p.Protocol ?? "TCP");
            }).ToList());
        }

        public IngressSpec? Ingress(V1Ingress ingress, string workload)
        {
            SameName(ingress.Metadata, "Ingress", workload);
            Metadata(ingress.Metadata, "Ingress");
            Only(ingress.Spec, "Ingress.spec", "ingressClassName", "rules");
            var rules = ingress.Spec?.Rules ?? [];
            var paths = rules.SelectMany(r => r.Http?.Paths ?? []).ToList();
            if (rules.Count != 1 || paths.Count != 1)
            {
                Problems.Add("Ingress.spec.rules: Cocktail's ingress is one host with one path to the workload's service.");
                return null;
            }
            var path = paths[0];
            if (path.Backend?.Service?.Name is { } backend && backend != workload)
                Problems.Add($"Ingress.spec.rules[0].http.paths[0].backend.service.name: the ingress routes to the workload's service, '{workload}'.");
            if (path.PathType is not (null or "Prefix"))
                Problems.Add("Ingress.spec.rules[0].http.paths[0].pathType: Cocktail's ingress paths are Prefix.");
            return new IngressSpec(rules[0].Host ?? "", path.Path ?? "/", path.Backend?.Service?.Port?.Number ?? 80, ingress.Spec?.IngressClassName);
        }

        public AutoscalerSpec? Autoscaler(V2HorizontalPodAutoscaler hpa, WorkloadSpec spec)
        {
            SameName(hpa.Metadata, "HorizontalPodAutoscaler", spec.Name);
            Metadata(hpa.Metadata, "HorizontalPodAutoscaler");
            Only(hpa.Spec, "HorizontalPodAutoscaler.spec", "scaleTargetRef", "minReplicas", "maxReplicas", "metrics");
            if (hpa.Spec?.ScaleTargetRef is { } target && (target.Name != spec.Name || target.Kind != spec.Kind.ToString()))
                Problems.Add($"HorizontalPodAutoscaler.spec.scaleTargetRef: the autoscaler scales the workload, {spec.Kind} '{spec.Name}'.");
            var metrics = hpa.Spec?.Metrics ?? [];
            var cpu = metrics.Count == 1 && metrics[0] is { Type: "Resource", Resource: { Name: "cpu", Target: { Type: "Utilization", AverageUtilization: { } percent } } }
                ? percent : (int?)null;
            if (cpu is null) Problems.Add("HorizontalPodAutoscaler.spec.metrics: Cocktail's autoscaler has one metric, cpu Utilization with an averageUtilization.");
            return new AutoscalerSpec(hpa.Spec?.MinReplicas ?? 1, hpa.Spec?.MaxReplicas ?? 0, cpu ?? 0);
        }

        private ContainerSpec Container(V1Container c, string path)
        {
            Only(c, path, "name", "image", "command", "args", "env", "ports", "resources", "livenessProbe", "readinessProbe", "securityContext", "volumeMounts");
            foreach (var (env, i) in (c.Env ?? []).Select((e, i) => (e, i))) Only(env, $"{path}.env[{i}]", "name", "value");
            foreach (var (port, i) in (c.Ports ?? []).Select((p, i) => (p, i))) Only(port, $"{path}.ports[{i}]", "containerPort", "name", "protocol");
            foreach (var (mount, i) in (c.VolumeMounts ?? []).Select((m, i) => (m, i))) Only(mount, $"{path}.volumeMounts[{i}]", "name", "mountPath", "readOnly");
            Only(c.Resources, $"{path}.resources", "requests", "limits");
            Only(c.SecurityContext, $"{path}.securityContext", "privileged", "allowPrivilegeEscalation", "runAsNonRoot", "runAsUser", "capabilities", "seccompProfile");
            Only(c.SecurityContext?.SeccompProfile, $"{path}.securityContext.seccompProfile", "type");
            return new ContainerSpec(
                c.Name ?? "", c.Image ?? "",
                c.Command is { Count: > 0 } ? c.Command.ToList() : null,
                c.Args is { Count: > 0 } ? c.Args.ToList() : null,
                c.Env is { Count: > 0 } ? c.Env.Select(e => new EnvVar(e.Name, e.Value)).ToList() : null,
                c.Ports is { Count: > 0 } ? c.Ports.Select(p => new PortSpec(p.ContainerPort, p.Name, p.Protocol ?? "TCP")).ToList() : null,
                c.Resources is null ? null : new Resources(List(c.Resources.Requests, $"{path}.resources.requests"), List(c.Resources.Limits, $"{path}.resources.limits")),
                c.LivenessProbe is null && c.ReadinessProbe is null ? null
                    : new Probes(Probe(c.LivenessProbe, $"{path}.livenessProbe"), Probe(c.ReadinessProbe, $"{path}.readinessProbe")),
                c.SecurityContext is { } sc ? new SecurityContext(
                    sc.Privileged, sc.AllowPrivilegeEscalation, sc.RunAsNonRoot, sc.RunAsUser,
                    sc.Capabilities?.Add is { Count: > 0 } add ? add.ToList() : null,
                    sc.Capabilities?.Drop is { Count: > 0 } drop ? drop.ToList() : null,
                    sc.SeccompProfile?.Type) : null,
                c.VolumeMounts is { Count: > 0 } ? c.VolumeMounts.Select(m => new VolumeMount(m.Name, m.MountPath, m.ReadOnlyProperty ?? false)).ToList() : null);
        }

        private Probe? Probe(V1Probe? probe, string path)
        {
            if (probe is null) return null;
            Only(probe, path, "httpGet", "tcpSocket", "exec", "initialDelaySeconds", "periodSeconds");
            Only(probe.HttpGet, $"{path}.httpGet", "path", "port");
            return new Probe(
                probe.HttpGet?.Path,
                probe.HttpGet is { } http ? Port(http.Port, $"{path}.httpGet.port") : probe.TcpSocket is { } tcp ? Port(tcp.Port, $"{path}.tcpSocket.port") : null,
                probe.Exec?.Command is { Count: > 0 } command ? command.ToList() : null,
                probe.InitialDelaySeconds ?? 0,
                probe.PeriodSeconds ?? 10);
        }

        private Volume Volume(V1Volume v, string path)
        {
            Only(v, path, "name", "hostPath", "emptyDir", "configMap", "persistentVolumeClaim");
            Only(v.ConfigMap, $"{path}.configMap", "name");
            Only(v.EmptyDir, $"{path}.emptyDir");
            return new Volume(v.Name, v.HostPath?.Path, v.EmptyDir is not null, v.ConfigMap?.Name, v.PersistentVolumeClaim?.ClaimName);
        }

        private ResourceList? List(IDictionary<string, ResourceQuantity>? quantities, string path)
        {
            if (quantities is null || quantities.Count == 0) return null;
            foreach (var key in quantities.Keys.Where(k => k is not ("cpu" or "memory" or WorkloadObjects.GpuResource)))
                Problems.Add($"{path}.{key}: Cocktail's spec carries cpu, memory and {WorkloadObjects.GpuResource}.");
            return new ResourceList(
                quantities.TryGetValue("cpu", out var cpu) ? cpu.ToString() : null,
                quantities.TryGetValue("memory", out var memory) ? memory.ToString() : null,
                quantities.TryGetValue(WorkloadObjects.GpuResource, out var gpu) ? gpu.ToString() : null);
        }

        private int Port(IntOrString? port, string path)
        {
            if (port?.Value is { } value && int.TryParse(value, out var number)) return number;
            Problems.Add($"{path}: give the port as a number.");
            return 0;
        }

        private void Metadata(V1ObjectMeta? meta, string path)
        {
            Only(meta, $"{path}.metadata", "name", "namespace", "labels");
            if (meta?.NamespaceProperty is not null)
                Problems.Add($"{path}.metadata.namespace: Cocktail deploys into the service map's namespace; remove the namespace.");
        }

        private void SameName(V1ObjectMeta? meta, string kind, string workload)
        {
            if (meta?.Name is { } name && name != workload)
                Problems.Add($"{kind}.metadata.name: Cocktail names the {kind} after the workload, '{workload}'.");
        }

        private static Dictionary<string, string> Labels(params IDictionary<string, string>?[] sources)
        {
            var labels = new Dictionary<string, string>();
            foreach (var source in sources)
                foreach (var (key, value) in source ?? new Dictionary<string, string>())
                    if (!WorkloadLabels.IsCocktails(key)) labels[key] = value;
            return labels;
        }

        /// <summary>Every field set on the object other than those named is a problem, reported by its YAML path.</summary>
        private void Only(object? value, string path, params string[] allowed)
        {
            if (value is null) return;
            foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var json = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
                if (json is null || allowed.Contains(json) || property.GetIndexParameters().Length > 0) continue;
                if (property.GetValue(value) is not null)
                    Problems.Add($"{path}.{json}: Cocktail's workload spec does not carry this field; remove it or manage this object outside Cocktail.");
            }
        }
    }
}
