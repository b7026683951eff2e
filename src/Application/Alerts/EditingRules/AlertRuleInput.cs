using Cocktail.Application.Alerts.Rules;
using Cocktail.Domain.Monitoring;
using FluentValidation;

namespace Cocktail.Application.Alerts.EditingRules;

/// <summary>A rule as the editor and the API send it; <c>For</c> is a Prometheus duration ("5m").</summary>
public interface IAlertRuleFields
{
    string? Name { get; }
    string? Expression { get; }
    string? For { get; }
    AlertSeverity Severity { get; }
    Dictionary<string, string>? Labels { get; }
    string? Summary { get; }
    double? Threshold { get; }
    bool Enabled { get; }
}

public static class AlertRuleFields
{
    public static AlertRuleDefinition ToDefinition(this IAlertRuleFields f, BuiltInRule? builtIn) => new(
        f.Name ?? "", builtIn, builtIn is null ? f.Expression : null, PromDuration.TryParse(f.For, out var d) ? d : TimeSpan.Zero, f.Severity,
        f.Labels ?? [], f.Summary, builtIn is null ? null : f.Threshold, f.Enabled);
}

public abstract class AlertRuleFieldsValidator<T> : AbstractValidator<T> where T : IAlertRuleFields
{
    protected AlertRuleFieldsValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Give the rule a name.").MaximumLength(100);
        RuleFor(x => x.For).Must(f => f is null || PromDuration.TryParse(f, out _)).WithMessage("A duration such as 30s, 5m or 1h.");
        RuleFor(x => x.Severity).IsInEnum();
        RuleFor(x => x.Expression).MaximumLength(4000);
        RuleFor(x => x.Summary).MaximumLength(1000);
        RuleFor(x => x.Labels).Must(l => l is null || l.Count <= 20 && l.All(kv => kv.Value is { Length: <= 256 }))
            .WithMessage("At most 20 labels, each value at most 256 characters.");
    }
}
