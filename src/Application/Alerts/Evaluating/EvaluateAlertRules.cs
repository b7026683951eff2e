using Cocktail.Application.Alerts.Firing;
using Cocktail.Application.Alerts.ListingRules;
using Cocktail.Application.Alerts.Silencing;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Monitoring;
using Cocktail.Domain.Monitoring;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Alerts.Evaluating;

/// <summary>One evaluation of every enabled rule, sent by the scheduler on the one replica that evaluates.</summary>
public sealed record EvaluateAlertRules;

/// <summary>What an evaluation did, for tests and the benchmark.</summary>
public sealed record AlertEvaluationResult(int Rules, int Conditions, int Fired, int Resolved, TimeSpan Took);

/// <summary>
/// Each rule's conditions against its open alerts and its pending ones: a condition fires once it has held for the
/// rule's <c>for</c> (and the alert's quiet time allows), an open alert whose condition is gone resolves, and so do
/// the open alerts of rules disabled or deleted since. A cluster a rule could not look at keeps its alerts as they
/// are. Silences past their end expire on the same beat.
/// </summary>
public static class EvaluateAlertRulesHandler
{
    public static async Task<AlertEvaluationResult> Handle(EvaluateAlertRules _, IDocumentSession session, IInventoryReader inventory,
        IClusterPrometheus prometheus, IMessageContext messages, IOptions<AlertingOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var now = clock.GetUtcNow();
        var world = await EvaluationWorld.LoadAsync(session, inventory, ct);
        var rules = await EnabledRulesAsync(session, world, ct);
        var transitions = await AlertTransitions.StartAsync(session, messages, options.Value.QuietTime, now, world.ClusterNames, ct);
        var open = (await session.Query<AlertView>().Where(a => a.Firing && a.RuleId != null).ToListAsync(ct)).ToLookup(a => a.RuleId!.Value);
        var pending = (await session.LoadManyAsync<AlertPendingState>(ct, rules.Select(r => r.Id))).ToDictionary(p => p.Id);
        var conditions = new RuleConditions(world, prometheus, now);
        var seen = 0;

        foreach (var rule in rules)
        {
            var outcome = await conditions.EvaluateAsync(rule, ct);
            seen += outcome.Conditions.Count;
            var state = pending.GetValueOrDefault(rule.Id) ?? new AlertPendingState { Id = rule.Id };
            var openByFingerprint = open[rule.Id].ToDictionary(a => a.Fingerprint);
            var holding = outcome.Conditions.Select(c => c.Fingerprint).ToHashSet();
            var before = state.Since.Count;

            foreach (var condition in outcome.Conditions)
            {
                if (!state.Since.TryGetValue(condition.Fingerprint, out var since)) state.Since[condition.Fingerprint] = since = now;
                if (openByFingerprint.ContainsKey(condition.Fingerprint) || now - since < rule.Definition.For) continue;
                await transitions.FireAsync(condition, now, ct);
            }
            foreach (var gone in state.Since.Keys.Where(f => !holding.Contains(f)).ToList())
                state.Since.Remove(gone);
            foreach (var alert in openByFingerprint.Values.Where(a => !holding.Contains(a.Fingerprint) && !Unknown(a, outcome)))
                await transitions.ResolveAsync(alert, now, null, ct);
            if (state.Since.Count > 0 || before > 0) session.Store(state);
        }

        var evaluated = rules.Select(r => r.Id).ToHashSet();
        foreach (var orphan in open.Where(g => !evaluated.Contains(g.Key)).SelectMany(g => g))
            await transitions.ResolveAsync(orphan, now, "The rule was disabled or removed.", ct);

        await ExpireSilencesHandler.ExpireDueAsync(session, now, ct);
        await session.SaveChangesAsync(ct);
        return new AlertEvaluationResult(rules.Count, seen, transitions.Fired, transitions.Resolved, clock.GetElapsedTime(started));
    }

    private static bool Unknown(AlertView alert, RuleOutcome outcome) => alert.ClusterId is { } c && outcome.UnknownClusters.Contains(c);

    /// <summary>The platform's rules and every workspace's, tuned or by default, that are enabled.</summary>
    public static async Task<IReadOnlyList<EffectiveRule>> EnabledRulesAsync(IQuerySession session, EvaluationWorld world, CancellationToken ct)
    {
        var saved = (await session.Query<AlertRuleView>().ToListAsync(ct)).ToLookup(r => r.WorkspaceId);
        var scopes = new List<Guid?> { null };
        scopes.AddRange(world.Workspaces.Select(w => (Guid?)w.Id));
        return scopes
            .SelectMany(scope => ListAlertRulesHandler.Effective(scope, saved[scope].ToList()))
            .Where(r => r.Definition.Enabled)
            .Select(r => new EffectiveRule(r.Id, r.WorkspaceId, r.Definition))
            .ToList();
    }
}
