using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Policies;
using FluentValidation;

namespace Cocktail.Application.Policies;

/// <summary>What every policy a command sets must be, whatever it is set on.</summary>
internal static class PolicyRules
{
    public static void Add<T>(AbstractValidator<T> validator, System.Linq.Expressions.Expression<Func<T, SecurityPolicy?>> policy)
    {
        validator.RuleFor(policy).NotNull().WithMessage("Give a policy.");
        validator.RuleFor(policy).Must(p => p is null || p.PodSecurity is null || Enum.IsDefined(p.PodSecurity.Value))
            .WithMessage("podSecurity is privileged, baseline or restricted.");
        validator.RuleFor(policy).Must(p => p is null || p.Registries.All(r => r.Length is > 0 and <= 253 && !r.Contains('/') && r.Trim() == r))
            .WithMessage("Registries are host names (with an optional port), like registry.example.com or docker.io.");
        validator.RuleFor(policy).Must(p => p?.MaxReplicas is null or >= 0).WithMessage("maxReplicas is zero or more.");
        // The image rules' own check, keyed as the JSON nests them (images.maxHigh), as loosening refusals are.
        validator.RuleFor(policy).Custom((p, context) =>
        {
            if (p?.Images is { } images && ImageScanPolicy.Check(images) is { } error)
                context.AddFailure(error.Field is null ? "images" : "images." + error.Field, error.Message);
        });
    }
}
