using Cocktail.Application.Alerts.Rules;
using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using Marten;

namespace Cocktail.Application.Alerts.ListingRules;

/// <summary>A rule as the rules page shows it: built-ins with their tuning (or defaults), then the custom rules.</summary>
public sealed record AlertRuleItem(
    Guid Id, Guid? WorkspaceId, AlertRuleDefinition Definition, string For, bool Tuned, string? ThresholdMeaning, long Version,
    DateTimeOffset? ChangedAt, string? ChangedBy)
{
    public bool IsBuiltIn => Definition.BuiltIn is not null;
}

/// <summary>The rules of a workspace, or the platform's when no workspace is given.</summary>
public sealed record ListAlertRules(Guid? WorkspaceId) : IRequest<IReadOnlyList<AlertRuleItem>>;

public static class ListAlertRulesHandler
{
    public static async Task<Result<IReadOnlyList<AlertRuleItem>>> Handle(ListAlertRules query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        if (await AlertAccess.CheckAsync(session, actor, query.WorkspaceId, AlertAccess.Need.Read, ct) is { } denied) return denied;
        var saved = await session.Query<AlertRuleView>().Where(r => r.WorkspaceId == query.WorkspaceId).ToListAsync(ct);
        return Result<IReadOnlyList<AlertRuleItem>>.Ok(Effective(query.WorkspaceId, saved));
    }

    /// <summary>Every rule of the scope as it applies now, tuned or by default.</summary>
    public static List<AlertRuleItem> Effective(Guid? workspaceId, IReadOnlyList<AlertRuleView> saved)
    {
        var byId = saved.ToDictionary(r => r.Id);
        var items = BuiltInRules.For(workspaceId).Select(kind =>
        {
            var id = AlertRule.BuiltInId(kind, workspaceId);
            return byId.TryGetValue(id, out var tuned)
                ? Item(tuned, true)
                : new AlertRuleItem(id, workspaceId, BuiltInRules.Default(kind, workspaceId), PromDuration.Format(BuiltInRules.Default(kind, workspaceId).For),
                    false, BuiltInRules.ThresholdMeaning(kind), 0, null, null);
        }).ToList();
        items.AddRange(saved.Where(r => r.Definition.IsCustom).OrderBy(r => r.Definition.Name).Select(r => Item(r, true)));
        return items;
    }

    private static AlertRuleItem Item(AlertRuleView r, bool tuned) => new(r.Id, r.WorkspaceId, r.Definition, PromDuration.Format(r.Definition.For), tuned,
        r.Definition.BuiltIn is { } b ? BuiltInRules.ThresholdMeaning(b) : null, r.Version, r.ChangedAt, r.ChangedBy);
}
