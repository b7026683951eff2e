using Cocktail.Domain.Provisioning;
using FluentValidation;

namespace Cocktail.Application.Provisioning;

public sealed record ControlPlaneInput(int Replicas = 3, string? MachineType = null);

public sealed record NodeTaintInput(string? Key, string? Value, string? Effect);

public sealed record NodePoolInput(
    string? Name, string? MachineType, int Replicas = 1, int? MinSize = null, int? MaxSize = null,
    Dictionary<string, string>? Labels = null, List<NodeTaintInput>? Taints = null, int GpusPerNode = 0)
{
    public NodePoolSpec ToSpec() => new(
        Name?.Trim() ?? "", MachineType?.Trim() ?? "", Replicas, MinSize, MaxSize, Labels ?? [],
        [.. (Taints ?? []).Select(t => new NodeTaint(t?.Key ?? "", string.IsNullOrEmpty(t?.Value) ? null : t.Value, t?.Effect ?? ""))], GpusPerNode);
}

public sealed record NetworkInput(List<string>? PodCidrs, List<string>? ServiceCidrs);

/// <summary>
/// A cluster to create, as the form and the API send it: the same shape as <see cref="ClusterBlueprint"/> with the
/// defaults filled in (namespace "default", <see cref="NetworkSpec.Default"/>, no settings). The blueprint's own
/// <see cref="ClusterBlueprint.Check"/> then reports every problem at once.
/// </summary>
public sealed record ClusterBlueprintInput(
    string? Name, string? Namespace = "default", Infrastructure? Infrastructure = null, string? KubernetesVersion = null,
    ControlPlaneInput? ControlPlane = null, List<NodePoolInput>? NodePools = null, NetworkInput? Network = null,
    Dictionary<string, string>? Settings = null, string? ClusterClass = null)
{
    public ClusterBlueprint ToBlueprint()
    {
        var infrastructure = Infrastructure ?? (Infrastructure)(-1);
        var managed = InfrastructureCatalog.All.FirstOrDefault(i => i.Kind == infrastructure)?.ManagedControlPlane == true;
        // A managed control plane (EKS, AKS, GKE) has no machines: nothing to ask for.
        var controlPlane = ControlPlane is { } cp ? new ControlPlaneSpec(cp.Replicas, string.IsNullOrWhiteSpace(cp.MachineType) ? null : cp.MachineType.Trim())
            : managed ? new ControlPlaneSpec(0) : null;
        var network = Network is null ? NetworkSpec.Default
            : new NetworkSpec(Network.PodCidrs ?? [.. NetworkSpec.Default.PodCidrs], Network.ServiceCidrs ?? [.. NetworkSpec.Default.ServiceCidrs]);
        return new ClusterBlueprint(
            Name?.Trim() ?? "", string.IsNullOrWhiteSpace(Namespace) ? "default" : Namespace.Trim(), infrastructure,
            KubernetesVersion?.Trim() ?? "", controlPlane!, [.. (NodePools ?? []).Select(p => p?.ToSpec()!)], network,
            (Settings ?? []).Where(s => !string.IsNullOrWhiteSpace(s.Value)).ToDictionary(s => s.Key, s => s.Value.Trim()),
            string.IsNullOrWhiteSpace(ClusterClass) ? null : ClusterClass.Trim());
    }
}

/// <summary>
/// The blueprint's shape only (sizes that keep a request bounded); its meaning is <see cref="ClusterBlueprint.Check"/>'s,
/// so every field problem comes back in one answer.
/// </summary>
public sealed class ClusterBlueprintInputValidator : AbstractValidator<ClusterBlueprintInput>
{
    public ClusterBlueprintInputValidator()
    {
        RuleFor(x => x.Name).MaximumLength(253);
        RuleFor(x => x.Namespace).MaximumLength(253);
        RuleFor(x => x.Infrastructure).IsInEnum().WithMessage($"The infrastructure is one of {string.Join(", ", Enum.GetNames<Infrastructure>())}.");
        RuleFor(x => x.KubernetesVersion).MaximumLength(64);
        RuleFor(x => x.ClusterClass).MaximumLength(253);
        RuleFor(x => x.ControlPlane!.MachineType).MaximumLength(253).When(x => x.ControlPlane is not null);
        RuleFor(x => x.NodePools).Must(p => p is null || p.Count <= ClusterBlueprint.MaxNodePools)
            .WithMessage($"At most {ClusterBlueprint.MaxNodePools} node pools.");
        RuleForEach(x => x.NodePools).SetValidator(new NodePoolInputValidator()!).When(x => x.NodePools is { Count: <= ClusterBlueprint.MaxNodePools });
        RuleFor(x => x.Network!.PodCidrs).Must(c => c is null || c.Count <= 2).WithMessage("Give one CIDR block (or two for dual stack).").When(x => x.Network is not null);
        RuleFor(x => x.Network!.ServiceCidrs).Must(c => c is null || c.Count <= 2).WithMessage("Give one CIDR block (or two for dual stack).").When(x => x.Network is not null);
        RuleFor(x => x.Settings).Must(s => s is null || s.Count <= 32).WithMessage("At most 32 settings.");
    }
}

public sealed class NodePoolInputValidator : AbstractValidator<NodePoolInput>
{
    public NodePoolInputValidator()
    {
        RuleFor(x => x.Name).MaximumLength(63);
        RuleFor(x => x.MachineType).MaximumLength(253);
        RuleFor(x => x.Labels).Must(l => l is null || l.Count <= 64).WithMessage("At most 64 labels.");
        RuleFor(x => x.Taints).Must(t => t is null || t.Count <= 32).WithMessage("At most 32 taints.");
    }
}

public static class BlueprintRules
{
    /// <summary>
    /// A command's blueprint checked with <see cref="ClusterBlueprintInputValidator"/>, its errors named as the blueprint's
    /// own fields (<c>name</c>, <c>nodePools[0].name</c>) like <see cref="ClusterBlueprint.Check"/>'s, not under the command's property.
    /// </summary>
    public static IRuleBuilderOptionsConditions<T, ClusterBlueprintInput?> ValidBlueprint<T>(this IRuleBuilder<T, ClusterBlueprintInput?> rule) =>
        rule.Custom((input, context) =>
        {
            if (input is null)
            {
                context.AddFailure(new FluentValidation.Results.ValidationFailure("body", "Describe the cluster to create."));
                return;
            }
            foreach (var failure in Validator.Validate(input).Errors)
                context.AddFailure(new FluentValidation.Results.ValidationFailure(failure.PropertyName, failure.ErrorMessage));
        });

    private static readonly ClusterBlueprintInputValidator Validator = new();
}
