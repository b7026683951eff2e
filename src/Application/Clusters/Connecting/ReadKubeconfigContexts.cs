using System.Text;
using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;

namespace Cocktail.Application.Clusters.Connecting;

/// <summary>
/// The contexts a kubeconfig names, so the console can offer a choice before registering or rotating. Reads the
/// text only; nothing is connected to and nothing is stored.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ReadKubeconfigContexts([property: Secret] string Kubeconfig) : IRequest<KubeconfigContexts>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>The context names in file order, and the current context when the kubeconfig sets one.</summary>
public sealed record KubeconfigContexts(IReadOnlyList<string> Contexts, string? Current);

public sealed class ReadKubeconfigContextsValidator : AbstractValidator<ReadKubeconfigContexts>
{
    public ReadKubeconfigContextsValidator()
    {
        RuleFor(x => x.Kubeconfig).NotEmpty().WithMessage("Give a kubeconfig.");
        RuleFor(x => x.Kubeconfig).MaximumLength(ConnectionInputs.MaxKubeconfigLength)
            .WithMessage($"A kubeconfig has at most {ConnectionInputs.MaxKubeconfigLength / 1024} KiB.");
    }
}

public static class ReadKubeconfigContextsHandler
{
    public static Result<KubeconfigContexts> Handle(ReadKubeconfigContexts query, IKubeconfigReader kubeconfigs)
    {
        var (contexts, current, error) = kubeconfigs.Contexts(query.Kubeconfig);
        if (error is not null) return Failure.Invalid(error, "kubeconfig");
        if (contexts.Count == 0) return Failure.Invalid("The kubeconfig has no contexts.", "kubeconfig");
        return new KubeconfigContexts(contexts, current is not null && contexts.Contains(current) ? current : null);
    }
}
