using Cocktail.Application.Alerts.Rules;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Alerts.EditingRules;

/// <summary>
/// Edits a custom rule, or tunes a built-in (enable/disable, threshold, for, severity). A built-in nobody tuned yet
/// has no stream: its id is derived from the built-in and the workspace (<see cref="AlertRule.BuiltInId"/>), and its
/// first tuning starts the stream with the defaults as the before.
/// </summary>
public sealed record ChangeAlertRule(
    Guid RuleId, Guid? WorkspaceId, string? Name, string? Expression, string? For, AlertSeverity Severity, Dictionary<string, string>? Labels,
    string? Summary, double? Threshold, bool Enabled, long? ExpectedVersion = null) : IRequest<Accepted>, IAlertRuleFields;

public sealed class ChangeAlertRuleValidator : AlertRuleFieldsValidator<ChangeAlertRule>;

public static class ChangeAlertRuleHandler
{
    private const string NotFound = "No such alert rule.";

    public static async Task<Result<Accepted>> Handle(ChangeAlertRule command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var saved = await session.LoadAsync<AlertRuleView>(command.RuleId, ct);
        var workspaceId = saved is null ? command.WorkspaceId : saved.WorkspaceId;
        var builtIn = saved?.Definition.BuiltIn ?? BuiltInRules.For(workspaceId).Cast<BuiltInRule?>()
            .FirstOrDefault(r => AlertRule.BuiltInId(r!.Value, workspaceId) == command.RuleId);
        if (saved is null && builtIn is null) return Failure.NotFound(NotFound);
        if (await AlertAccess.CheckAsync(session, actor, workspaceId, AlertAccess.Need.WriteRules, ct) is { } denied)
            return denied.Kind == FailureKind.NotFound ? Failure.NotFound(NotFound) : denied;

        var definition = command.ToDefinition(builtIn);
        if (definition.IsCustom && await RuleExpressions.CheckAsync(session, workspaceId, definition.Expression ?? "", ct) is { } refused) return refused;
        var now = clock.GetUtcNow();
        if (saved is null)
        {
            var first = AlertRule.Save(command.RuleId, workspaceId, definition, actor.Ref, now);
            if (first.Error is { } error) return error;
            session.Events.StartStream<AlertRule>(command.RuleId, first.Events.ToArray());
            return new Accepted(command.RuleId, first.Events.Count);
        }
        return await AggregateStreams.DecideAsync<AlertRule>(session, command.RuleId, command.ExpectedVersion,
            rule => rule.Change(definition, actor.Ref, now), NotFound, ct);
    }
}
