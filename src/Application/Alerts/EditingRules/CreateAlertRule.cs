using Cocktail.Application.Alerts.Rules;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Alerts.EditingRules;

/// <summary>A custom PromQL rule of a workspace (confined to its namespaces) or of the platform (no workspace).</summary>
public sealed record CreateAlertRule(
    Guid? WorkspaceId, string? Name, string? Expression, string? For, AlertSeverity Severity, Dictionary<string, string>? Labels, string? Summary,
    bool Enabled = true) : IRequest<Accepted>, IAlertRuleFields
{
    public double? Threshold => null;
}

public sealed class CreateAlertRuleValidator : AlertRuleFieldsValidator<CreateAlertRule>
{
    public CreateAlertRuleValidator() => RuleFor(x => x.Expression).NotEmpty().WithMessage("A custom rule needs a PromQL expression.");
}

public static class CreateAlertRuleHandler
{
    public static async Task<Result<Accepted>> Handle(CreateAlertRule command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (await AlertAccess.CheckAsync(session, actor, command.WorkspaceId, AlertAccess.Need.WriteRules, ct) is { } denied) return denied;
        if (await RuleExpressions.CheckAsync(session, command.WorkspaceId, command.Expression!, ct) is { } refused) return refused;
        var id = Guid.CreateVersion7();
        var decision = AlertRule.Save(id, command.WorkspaceId, command.ToDefinition(null), actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<AlertRule>(id, decision.Events.ToArray());
        return new Accepted(id, decision.Events.Count);
    }
}
