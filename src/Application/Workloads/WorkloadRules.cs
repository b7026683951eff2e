using System.Text.RegularExpressions;
using Cocktail.Application.Clusters;
using Cocktail.Domain.Common;
using Cocktail.Domain.Workloads;
using FluentValidation;

namespace Cocktail.Application.Workloads;

/// <summary>
/// Bounds on the lists and sizes of a workload. Kubernetes stores an object in at most 1.5 MiB (etcd's request
/// limit) and its apiserver takes 3 MiB bodies; these keep a workload well inside that, so what Cocktail accepts the
/// cluster accepts too, and no list grows without end in Cocktail's own events.
/// </summary>
public static class WorkloadLimits
{
    public const int MaxContainers = 32;
    public const int MaxItems = 256;
    public const int MaxLabels = 64;
    public const int MaxEnvNameLength = 256;
    public const int MaxEnvBytes = 256 * 1024;
    public const int MaxArgLength = 32 * 1024;
}

/// <summary>What Kubernetes would refuse, refused first and by field, with the path the form and the YAML share.</summary>
public sealed partial class WorkloadSpecValidator : AbstractValidator<WorkloadSpec>
{
    public WorkloadSpecValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Name the workload.").Must(DnsLabel.IsValid).WithMessage($"Workload names use {DnsLabel.Rule}.");
        RuleFor(x => x.Kind).IsInEnum().WithMessage("Kind is Deployment, StatefulSet, Job or CronJob.");
        RuleFor(x => x.Containers).NotEmpty().WithMessage("A workload runs at least one container.")
            .Must(c => c is null || c.Count <= WorkloadLimits.MaxContainers).WithMessage($"A workload runs at most {WorkloadLimits.MaxContainers} containers.");
        RuleFor(x => x.Volumes).Must(v => v is null || v.Count <= WorkloadLimits.MaxItems).WithMessage($"A workload has at most {WorkloadLimits.MaxItems} volumes.");
        RuleFor(x => x.Labels).Must(l => l is null || l.Count <= WorkloadLimits.MaxLabels).WithMessage($"A workload has at most {WorkloadLimits.MaxLabels} labels.")
            .Must(l => l is null || l.All(p => ClusterRules.IsLabelKey(p.Key) && ClusterRules.IsLabelValue(p.Value)))
            .WithMessage("Label keys are an optional DNS subdomain prefix (at most 253) and '/' then a name of at most 63 of [A-Za-z0-9-_.] starting and ending alphanumeric; values are empty or at most 63 of the same.");
        RuleFor(x => x).Must(EnvFits).OverridePropertyName("env")
            .WithMessage($"The environment of all containers together has at most {WorkloadLimits.MaxEnvBytes / 1024} KiB of names and values.");
        RuleFor(x => x.Containers).Must(c => c is null || c.Select(x => x.Name).Distinct().Count() == c.Count).WithMessage("Container names must differ.");
        RuleForEach(x => x.Containers).SetValidator(new ContainerValidator());
        RuleFor(x => x.Replicas).InclusiveBetween(0, 1000).When(x => x.Replicas is not null).WithMessage("Replicas go from 0 to 1000.");
        RuleFor(x => x.Replicas).Null().When(x => x.Kind is WorkloadKind.Job or WorkloadKind.CronJob).WithMessage("Jobs and CronJobs have no replicas.");
        RuleFor(x => x.Schedule).NotEmpty().When(x => x.Kind == WorkloadKind.CronJob).WithMessage("A CronJob needs a schedule, like \"*/5 * * * *\".");
        RuleFor(x => x.Schedule).Must(s => s is null || s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 5 || s.StartsWith('@'))
            .WithMessage("A schedule has five fields (minute hour day month weekday) or is a macro like @hourly.");
        RuleForEach(x => x.Volumes).ChildRules(v =>
        {
            v.RuleFor(x => x.Name).Must(DnsLabel.IsValid).WithMessage($"Volume names use {DnsLabel.Rule}.");
            v.RuleFor(x => x).Must(x => new object?[] { x.HostPath, x.EmptyDir ? true : null, x.ConfigMap, x.PersistentVolumeClaim }.Count(o => o is not null) == 1)
                .WithMessage("A volume is one of emptyDir, configMap, persistentVolumeClaim or hostPath.");
        });
        RuleFor(x => x).Must(MountsExist).OverridePropertyName("volumeMounts").WithMessage("Every volume mount names a volume of the workload.");
        RuleFor(x => x.Service).ChildRules(s =>
        {
            s.RuleFor(x => x!.Type).Must(t => t is "ClusterIP" or "NodePort" or "LoadBalancer").WithMessage("Service types are ClusterIP, NodePort and LoadBalancer.");
            s.RuleFor(x => x!.Ports).NotEmpty().WithMessage("A service exposes at least one port.");
            s.RuleForEach(x => x!.Ports).ChildRules(p =>
            {
                p.RuleFor(x => x.Port).InclusiveBetween(1, 65535).WithMessage("Ports go from 1 to 65535.");
                p.RuleFor(x => x.TargetPort).InclusiveBetween(1, 65535).WithMessage("Ports go from 1 to 65535.");
            });
        }).When(x => x.Service is not null);
        RuleFor(x => x.Ingress).ChildRules(i =>
        {
            i.RuleFor(x => x!.Host).Must(h => h is not null && HostName().IsMatch(h)).WithMessage("The ingress host is a DNS name like shop.example.com.");
            i.RuleFor(x => x!.Path).Must(p => p is not null && p.StartsWith('/')).WithMessage("Ingress paths start with '/'.");
        }).When(x => x.Ingress is not null);
        RuleFor(x => x.Ingress).Must((spec, ingress) => ingress is null || spec.Service is not null).WithMessage("An ingress needs a service to route to.");
        RuleFor(x => x.Autoscaler).ChildRules(a =>
        {
            a.RuleFor(x => x!.MinReplicas).GreaterThanOrEqualTo(1).WithMessage("An autoscaler keeps at least 1 replica.");
            a.RuleFor(x => x!.MaxReplicas).GreaterThanOrEqualTo(x => x!.MinReplicas).WithMessage("maxReplicas must be at least minReplicas.");
            a.RuleFor(x => x!.CpuTargetPercent).InclusiveBetween(1, 1000).WithMessage("The CPU target is a percentage of the request, 1 to 1000.");
        }).When(x => x.Autoscaler is not null);
        RuleFor(x => x.Autoscaler).Null().When(x => x.Kind is not (WorkloadKind.Deployment or WorkloadKind.StatefulSet))
            .WithMessage("Only Deployments and StatefulSets autoscale.");
    }

    private static bool EnvFits(WorkloadSpec spec) =>
        (spec.Containers ?? []).SelectMany(c => c.Env ?? []).Sum(e => (long)(e.Name?.Length ?? 0) + (e.Value?.Length ?? 0)) <= WorkloadLimits.MaxEnvBytes;

    private static bool MountsExist(WorkloadSpec spec) =>
        (spec.Containers ?? []).SelectMany(c => c.VolumeMounts ?? []).All(m => (spec.Volumes ?? []).Any(v => v.Name == m.Name));

    [GeneratedRegex("^[a-z0-9*]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex HostName();
}

public sealed partial class ContainerValidator : AbstractValidator<ContainerSpec>
{
    public ContainerValidator()
    {
        RuleFor(x => x.Name).Must(DnsLabel.IsValid).WithMessage($"Container names use {DnsLabel.Rule}.");
        RuleFor(x => x.Image).NotEmpty().WithMessage("Give the container an image.").Must(i => i is null || !i.Any(char.IsWhiteSpace) && i.Length <= 512)
            .WithMessage("An image reference has no spaces, like registry.example.com/team/app:1.4.2.");
        RuleFor(x => x.Env).Must(e => e is null || e.Count <= WorkloadLimits.MaxItems).WithMessage($"A container has at most {WorkloadLimits.MaxItems} environment variables.");
        RuleForEach(x => x.Env).ChildRules(e => e.RuleFor(x => x.Name).Must(n => n is not null && n.Length <= WorkloadLimits.MaxEnvNameLength && EnvName().IsMatch(n))
            .WithMessage($"Environment variable names use letters, digits, '_', '-' and '.', do not start with a digit, and have at most {WorkloadLimits.MaxEnvNameLength} characters."));
        RuleFor(x => x.Command).Must(Bounded).WithMessage($"A command has at most {WorkloadLimits.MaxItems} parts of at most {WorkloadLimits.MaxArgLength / 1024} KiB.");
        RuleFor(x => x.Args).Must(Bounded).WithMessage($"Args have at most {WorkloadLimits.MaxItems} parts of at most {WorkloadLimits.MaxArgLength / 1024} KiB.");
        RuleFor(x => x.Ports).Must(p => p is null || p.Count <= WorkloadLimits.MaxItems).WithMessage($"A container has at most {WorkloadLimits.MaxItems} ports.");
        RuleFor(x => x.VolumeMounts).Must(m => m is null || m.Count <= WorkloadLimits.MaxItems).WithMessage($"A container has at most {WorkloadLimits.MaxItems} volume mounts.");
        RuleForEach(x => x.Ports).ChildRules(p => p.RuleFor(x => x.ContainerPort).InclusiveBetween(1, 65535).WithMessage("Ports go from 1 to 65535."));
        RuleFor(x => x.Resources).Must(Valid).WithMessage("Resources are Kubernetes quantities (cpu \"500m\", memory \"256Mi\", gpu \"1\"), and a request never exceeds its limit.");
        RuleFor(x => x.Probes!.Liveness).Must(OneHandler).When(x => x.Probes?.Liveness is not null).WithMessage("A probe is one of httpPath+port, port (TCP) or exec.");
        RuleFor(x => x.Probes!.Readiness).Must(OneHandler).When(x => x.Probes?.Readiness is not null).WithMessage("A probe is one of httpPath+port, port (TCP) or exec.");
    }

    private static bool Bounded(IReadOnlyList<string>? parts) =>
        parts is null || parts.Count <= WorkloadLimits.MaxItems && parts.All(p => p is null || p.Length <= WorkloadLimits.MaxArgLength);

    private static bool OneHandler(Probe? probe) =>
        probe is not null && (probe.Exec is { Count: > 0 } ? probe.HttpPath is null : probe.Port is >= 1 and <= 65535);

    private static bool Valid(Resources? resources)
    {
        if (resources is null) return true;
        foreach (var list in new[] { resources.Requests, resources.Limits })
            foreach (var value in new[] { list?.Cpu, list?.Memory, list?.Gpu })
                if (value is not null && (!Quantity.TryParse(value, out var q) || q.IsNegative)) return false;
        return Fits(resources.Requests?.Cpu, resources.Limits?.Cpu) && Fits(resources.Requests?.Memory, resources.Limits?.Memory) &&
               Fits(resources.Requests?.Gpu, resources.Limits?.Gpu);
    }

    private static bool Fits(string? request, string? limit) =>
        request is null || limit is null || Quantity.Parse(request) <= Quantity.Parse(limit);

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvName();
}
