using static Cocktail.Web.Components.Shared.Inputs;
using Cocktail.Domain.Workloads;

namespace Cocktail.Web.Components.Pages.Workloads;

/// <summary>
/// The deploy and edit form's fields. Each part keeps the spec it was filled from, so what the form does not show
/// (volumes, host namespaces, labels, the autoscaler, probe timings, other security settings) goes back unchanged:
/// editing the image from the form never drops what the YAML set.
/// </summary>
public sealed class WorkloadInput
{
    public WorkloadSpec? Original { get; private set; }
    public string? Name { get; set; }
    public WorkloadKind Kind { get; set; } = WorkloadKind.Deployment;
    public int? Replicas { get; set; } = 1;
    public string? Schedule { get; set; }
    public List<ContainerInput> Containers { get; set; } = [new()];
    public bool WithService { get; set; }
    public string ServiceType { get; set; } = "ClusterIP";
    public List<ServicePortInput> ServicePorts { get; set; } = [new()];
    public bool WithIngress { get; set; }
    public string? IngressHost { get; set; }
    public string? IngressPath { get; set; } = "/";
    public int? IngressServicePort { get; set; } = 80;
    public string? IngressClass { get; set; }

    public bool Scalable => Kind is WorkloadKind.Deployment or WorkloadKind.StatefulSet;

    public static WorkloadInput From(WorkloadSpec spec) => new()
    {
        Original = spec,
        Name = spec.Name,
        Kind = spec.Kind,
        Replicas = spec.Replicas,
        Schedule = spec.Schedule,
        Containers = spec.Containers.Select(ContainerInput.From).ToList(),
        WithService = spec.Service is not null,
        ServiceType = spec.Service?.Type ?? "ClusterIP",
        ServicePorts = spec.Service?.Ports is { Count: > 0 } ports ? ports.Select(ServicePortInput.From).ToList() : [new()],
        WithIngress = spec.Ingress is not null,
        IngressHost = spec.Ingress?.Host,
        IngressPath = spec.Ingress?.Path ?? "/",
        IngressServicePort = spec.Ingress?.ServicePort ?? 80,
        IngressClass = spec.Ingress?.ClassName,
    };

    public WorkloadSpec ToSpec()
    {
        var original = Original ?? new WorkloadSpec("", Kind, []);
        return original with
        {
            Name = Name?.Trim() ?? "",
            Kind = Kind,
            Replicas = Scalable ? Replicas : null,
            Schedule = Kind == WorkloadKind.CronJob ? Blank(Schedule) : null,
            Containers = Containers.Select(c => c.ToSpec()).ToList(),
            Service = WithService ? new ServiceSpec(ServiceType, ServicePorts.Select(p => p.ToSpec()).ToList()) : null,
            Ingress = WithService && WithIngress
                ? new IngressSpec(IngressHost?.Trim() ?? "", Blank(IngressPath) ?? "/", IngressServicePort ?? 80, Blank(IngressClass))
                : null,
            // Jobs and CronJobs cannot autoscale: a kind changed in the form leaves an autoscaler behind only for those that can.
            Autoscaler = Scalable ? original.Autoscaler : null,
        };
    }


    /// <summary>One item per line (commands and arguments may hold spaces, so lines rather than words).</summary>
    public static IReadOnlyList<string>? Lines(string? text)
    {
        var lines = (text ?? "").Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        return lines.Count == 0 ? null : lines;
    }

    public static string? Text(IReadOnlyList<string>? lines) => lines is { Count: > 0 } ? string.Join("\n", lines) : null;
}

public sealed class ContainerInput
{
    public ContainerSpec? Original { get; private init; }
    public string? Name { get; set; }
    public string? Image { get; set; }
    public string? Command { get; set; }
    public string? Args { get; set; }
    public List<EnvInput> Env { get; set; } = [];
    public List<PortInput> Ports { get; set; } = [];
    public string? RequestCpu { get; set; }
    public string? RequestMemory { get; set; }
    public string? RequestGpu { get; set; }
    public string? LimitCpu { get; set; }
    public string? LimitMemory { get; set; }
    public string? LimitGpu { get; set; }
    public ProbeInput Liveness { get; set; } = new();
    public ProbeInput Readiness { get; set; } = new();
    public bool NoPrivilegeEscalation { get; set; }
    public bool RunAsNonRoot { get; set; }
    public bool DropAllCapabilities { get; set; }
    public bool RuntimeDefaultSeccomp { get; set; }

    public static ContainerInput From(ContainerSpec c) => new()
    {
        Original = c,
        Name = c.Name,
        Image = c.Image,
        Command = WorkloadInput.Text(c.Command),
        Args = WorkloadInput.Text(c.Args),
        Env = (c.Env ?? []).Select(e => new EnvInput { Name = e.Name, Value = e.Value }).ToList(),
        Ports = (c.Ports ?? []).Select(p => new PortInput { Port = p.ContainerPort, Name = p.Name, Protocol = p.Protocol }).ToList(),
        RequestCpu = c.Resources?.Requests?.Cpu,
        RequestMemory = c.Resources?.Requests?.Memory,
        RequestGpu = c.Resources?.Requests?.Gpu,
        LimitCpu = c.Resources?.Limits?.Cpu,
        LimitMemory = c.Resources?.Limits?.Memory,
        LimitGpu = c.Resources?.Limits?.Gpu,
        Liveness = ProbeInput.From(c.Probes?.Liveness),
        Readiness = ProbeInput.From(c.Probes?.Readiness),
        NoPrivilegeEscalation = c.SecurityContext?.AllowPrivilegeEscalation is false,
        RunAsNonRoot = c.SecurityContext?.RunAsNonRoot is true,
        DropAllCapabilities = c.SecurityContext?.DropCapabilities?.Contains("ALL") is true,
        RuntimeDefaultSeccomp = c.SecurityContext?.SeccompProfile == "RuntimeDefault",
    };

    public ContainerSpec ToSpec()
    {
        var original = Original ?? new ContainerSpec("", "");
        var requests = List(RequestCpu, RequestMemory, RequestGpu);
        var limits = List(LimitCpu, LimitMemory, LimitGpu);
        var liveness = Liveness.ToSpec();
        var readiness = Readiness.ToSpec();
        return original with
        {
            Name = Name?.Trim() ?? "",
            Image = Image?.Trim() ?? "",
            Command = WorkloadInput.Lines(Command),
            Args = WorkloadInput.Lines(Args),
            Env = Env.Count == 0 ? null : Env.Select(e => new EnvVar(e.Name?.Trim() ?? "", e.Value)).ToList(),
            Ports = Ports.Count == 0 ? null : Ports.Select(p => new PortSpec(p.Port ?? 0, Blank(p.Name), p.Protocol)).ToList(),
            Resources = requests is null && limits is null ? null : new Resources(requests, limits),
            Probes = liveness is null && readiness is null ? null : new Probes(liveness, readiness),
            SecurityContext = Security(original.SecurityContext),
        };
    }

    /// <summary>The four hardening switches over whatever else the security context held.</summary>
    private SecurityContext? Security(SecurityContext? original)
    {
        var sc = original ?? new SecurityContext();
        var drop = (sc.DropCapabilities ?? []).Where(c => c != "ALL").ToList();
        if (DropAllCapabilities) drop.Insert(0, "ALL");
        sc = sc with
        {
            AllowPrivilegeEscalation = NoPrivilegeEscalation ? false : sc.AllowPrivilegeEscalation is false ? null : sc.AllowPrivilegeEscalation,
            RunAsNonRoot = RunAsNonRoot ? true : sc.RunAsNonRoot is true ? null : sc.RunAsNonRoot,
            DropCapabilities = drop.Count == 0 ? null : drop,
            SeccompProfile = RuntimeDefaultSeccomp ? "RuntimeDefault" : sc.SeccompProfile == "RuntimeDefault" ? null : sc.SeccompProfile,
        };
        var empty = sc.Privileged is null && sc.AllowPrivilegeEscalation is null && sc.RunAsNonRoot is null && sc.RunAsUser is null &&
                    sc.AddCapabilities is not { Count: > 0 } && sc.DropCapabilities is null && sc.SeccompProfile is null;
        return empty ? null : sc;
    }

    private static ResourceList? List(string? cpu, string? memory, string? gpu)
    {
        var list = new ResourceList(Blank(cpu), Blank(memory), Blank(gpu));
        return list.Cpu is null && list.Memory is null && list.Gpu is null ? null : list;
    }
}

public sealed class EnvInput
{
    public string? Name { get; set; }
    public string? Value { get; set; }
}

public sealed class PortInput
{
    public int? Port { get; set; }
    public string? Name { get; set; }
    public string Protocol { get; set; } = "TCP";
}

public sealed class ServicePortInput
{
    public int? Port { get; set; } = 80;
    public int? TargetPort { get; set; } = 8080;
    public string? Name { get; set; }
    public string Protocol { get; set; } = "TCP";

    public static ServicePortInput From(ServicePort p) => new() { Port = p.Port, TargetPort = p.TargetPort, Name = p.Name, Protocol = p.Protocol };

    public ServicePort ToSpec() => new(Port ?? 0, TargetPort ?? 0, Blank(Name), Protocol);
}

public enum ProbeKind { None, Http, Tcp, Exec }

public sealed class ProbeInput
{
    public Probe? Original { get; private init; }
    public ProbeKind Kind { get; set; }
    public string? HttpPath { get; set; } = "/";
    public int? Port { get; set; }
    public string? Exec { get; set; }

    public static ProbeInput From(Probe? probe) => probe is null ? new() : new()
    {
        Original = probe,
        Kind = probe.Exec is { Count: > 0 } ? ProbeKind.Exec : probe.HttpPath is not null ? ProbeKind.Http : ProbeKind.Tcp,
        HttpPath = probe.HttpPath ?? "/",
        Port = probe.Port,
        Exec = WorkloadInput.Text(probe.Exec),
    };

    /// <summary>Keeps the original's delay and period: the form edits what the probe checks, not its timing.</summary>
    public Probe? ToSpec()
    {
        var original = Original ?? new Probe();
        return Kind switch
        {
            ProbeKind.Http => original with { HttpPath = Blank(HttpPath) ?? "/", Port = Port, Exec = null },
            ProbeKind.Tcp => original with { HttpPath = null, Port = Port, Exec = null },
            ProbeKind.Exec => original with { HttpPath = null, Port = null, Exec = WorkloadInput.Lines(Exec) ?? [] },
            _ => null,
        };
    }
}
