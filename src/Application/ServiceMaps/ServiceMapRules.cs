using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;
using FluentValidation;

namespace Cocktail.Application.ServiceMaps;

public static class ServiceMapRules
{
    public static IRuleBuilderOptions<T, DefaultLimits?> ValidDefaultLimits<T>(this IRuleBuilder<T, DefaultLimits?> rule) =>
        rule.Must(l => l is null || new[] { l.Cpu, l.Memory, l.RequestCpu, l.RequestMemory }
                .All(v => v is null || Quantity.TryParse(v, out var q) && !q.IsNegative))
            .WithMessage("Default limits are Kubernetes quantities, for example { \"cpu\": \"500m\", \"memory\": \"512Mi\" }.")
            .Must(l => l is null || Fits(l.RequestCpu, l.Cpu) && Fits(l.RequestMemory, l.Memory))
            .WithMessage("A default request may not exceed the default limit.");

    private static bool Fits(string? request, string? limit) =>
        request is null || limit is null || !Quantity.TryParse(request, out var r) || !Quantity.TryParse(limit, out var l) || r <= l;
}
