using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using FluentValidation;

namespace Cocktail.Application.Workspaces;

public static class QuotaRules
{
    /// <summary>Every resource given is a Kubernetes quantity, not negative; pods are whole numbers.</summary>
    public static IRuleBuilderOptions<T, Quota?> ValidQuota<T>(this IRuleBuilder<T, Quota?> rule) =>
        rule.NotNull().WithMessage("Give a quota: { \"cpu\", \"memory\", \"gpu\", \"storage\", \"pods\" } as Kubernetes quantities.")
            .Must(q => q is null || q.InvalidResources().Count == 0)
            .WithMessage((_, q) => $"Not a Kubernetes quantity: {string.Join(", ", q!.InvalidResources())}. Use forms like \"4\", \"500m\", \"8Gi\".")
            .Must(q => q?.Pods is null || Quantity.TryParse(q.Pods, out var pods) && pods.Value == decimal.Truncate(pods.Value))
            .WithMessage("Pods are counted in whole numbers.");
}
