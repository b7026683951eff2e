using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using Marten;

namespace Cocktail.Application.Alerts.EditingRules;

/// <summary>Removes a custom rule; its open alerts resolve at the next evaluation. Built-ins are disabled instead.</summary>
public sealed record DeleteAlertRule(Guid RuleId) : IRequest<Accepted>;

public static class DeleteAlertRuleHandler
{
    private const string NotFound = "No such alert rule.";

    public static async Task<Result<Accepted>> Handle(DeleteAlertRule command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var saved = await session.LoadAsync<AlertRuleView>(command.RuleId, ct);
        if (saved is null) return Failure.NotFound(NotFound);
        if (await AlertAccess.CheckAsync(session, actor, saved.WorkspaceId, AlertAccess.Need.WriteRules, ct) is { } denied)
            return denied.Kind == FailureKind.NotFound ? Failure.NotFound(NotFound) : denied;
        return await AggregateStreams.DecideAsync<AlertRule>(session, command.RuleId, null, rule => rule.Delete(actor.Ref, clock.GetUtcNow()), NotFound, ct);
    }
}
