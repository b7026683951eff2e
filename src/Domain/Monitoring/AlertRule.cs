using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring;

/// <summary>The rules Cocktail ships; each is on by default and tunable per workspace (and for the platform).</summary>
public enum BuiltInRule
{
    ClusterUnreachable,
    NodeNotReady,
    PodRestarting,
    WorkloadUnavailable,
    QuotaNearlyUsed,
    PvcNearlyFull,
    ClusterCredentialExpiring,
    AccessGrantExpiring,
}

/// <summary>
/// Everything a rule is, saved whole in every event so the audit trail shows before and after. A built-in rule has
/// <see cref="BuiltIn"/> and no expression; a custom rule has a PromQL <see cref="Expression"/>.
/// <see cref="Threshold"/> means per built-in: restarts in the last 15 minutes, percent used, or days before the end.
/// </summary>
public sealed record AlertRuleDefinition(
    string Name, BuiltInRule? BuiltIn, string? Expression, TimeSpan For, AlertSeverity Severity,
    IReadOnlyDictionary<string, string> Labels, string? SummaryTemplate, double? Threshold, bool Enabled)
{
    public bool IsCustom => BuiltIn is null;

    public bool SameAs(AlertRuleDefinition other) =>
        Name == other.Name && BuiltIn == other.BuiltIn && Expression == other.Expression && For == other.For &&
        Severity == other.Severity && SummaryTemplate == other.SummaryTemplate && Threshold == other.Threshold &&
        Enabled == other.Enabled && Labels.Count == other.Labels.Count &&
        Labels.All(l => other.Labels.TryGetValue(l.Key, out var v) && v == l.Value);
}

/// <summary>A rule was created or changed (a built-in's first tuning is its creation, with the defaults as before).</summary>
public sealed record AlertRuleSaved(
    Guid RuleId, Guid? WorkspaceId, AlertRuleDefinition? Before, AlertRuleDefinition After, ActorRef By, DateTimeOffset At);

/// <summary>A custom rule was removed; its open alerts resolve at the next evaluation.</summary>
public sealed record AlertRuleDeleted(Guid RuleId, Guid? WorkspaceId, AlertRuleDefinition Before, ActorRef By, DateTimeOffset At);

/// <summary>
/// An alert rule of a workspace (or of the platform: <see cref="WorkspaceId"/> null, written by platform admins).
/// Built-ins have derived ids (one per built-in and workspace), so tuning one never makes a second copy.
/// </summary>
public sealed record AlertRule(Guid Id, Guid? WorkspaceId, AlertRuleDefinition Definition, bool Deleted)
{
    public static readonly TimeSpan MaxFor = TimeSpan.FromDays(1);

    public static Guid BuiltInId(BuiltInRule rule, Guid? workspaceId) => DerivedIds.From("alert-rule:" + rule, workspaceId ?? Guid.Empty);

    /// <summary>A new custom rule (its expression already confined by the caller), or the first tuning of a built-in.</summary>
    public static Decision Save(Guid id, Guid? workspaceId, AlertRuleDefinition definition, ActorRef by, DateTimeOffset at)
    {
        if (Check(definition) is { } error) return error;
        AlertRuleDefinition? before = definition.BuiltIn is { } builtIn ? BuiltInRules.Default(builtIn, workspaceId) : null;
        if (definition.BuiltIn is { } kind && !BuiltInRules.AppliesTo(kind, workspaceId))
            return DomainError.Invalid($"The built-in rule '{BuiltInRules.Default(kind, null).Name}' is not a {(workspaceId is null ? "platform" : "workspace")} rule.", "builtIn");
        return Decision.Accept(new AlertRuleSaved(id, workspaceId, before, Normalised(definition), by, at));
    }

    public Decision Change(AlertRuleDefinition after, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return DomainError.NotFound("No such alert rule.");
        if (after.BuiltIn != Definition.BuiltIn)
            return DomainError.Invalid("A rule stays what it is: a built-in cannot become a custom rule or another built-in.", "builtIn");
        if (Check(after) is { } error) return error;
        var normalised = Normalised(after);
        return normalised.SameAs(Definition) ? Decision.Nothing : Decision.Accept(new AlertRuleSaved(Id, WorkspaceId, Definition, normalised, by, at));
    }

    public Decision Delete(ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return DomainError.NotFound("No such alert rule.");
        if (!Definition.IsCustom) return DomainError.Invalid("Built-in rules are not deleted; disable it instead.", "enabled");
        return Decision.Accept(new AlertRuleDeleted(Id, WorkspaceId, Definition, by, at));
    }

    private static DomainError? Check(AlertRuleDefinition d)
    {
        if (string.IsNullOrWhiteSpace(d.Name)) return DomainError.Invalid("Give the rule a name.", "name");
        if (d.Name.Trim().Length > 100) return DomainError.Invalid("A rule's name has at most 100 characters.", "name");
        if (d.For < TimeSpan.Zero || d.For > MaxFor) return DomainError.Invalid("'for' is between 0 and 24 hours.", "for");
        if (d.IsCustom && string.IsNullOrWhiteSpace(d.Expression)) return DomainError.Invalid("A custom rule needs a PromQL expression.", "expression");
        if (!d.IsCustom && d.Expression is not null) return DomainError.Invalid("Built-in rules have no expression; tune their threshold.", "expression");
        if (d.BuiltIn is { } builtIn && BuiltInRules.ThresholdProblem(builtIn, d.Threshold) is { } problem) return DomainError.Invalid(problem, "threshold");
        if (d.Labels.Any(l => !LabelNames.IsValid(l.Key)))
            return DomainError.Invalid("Label names are letters, digits and underscores, not starting with a digit.", "labels");
        return null;
    }

    private static AlertRuleDefinition Normalised(AlertRuleDefinition d) =>
        d with { Name = d.Name.Trim(), Expression = d.Expression?.Trim(), SummaryTemplate = string.IsNullOrWhiteSpace(d.SummaryTemplate) ? null : d.SummaryTemplate.Trim() };

    public static AlertRule Create(AlertRuleSaved e) => new(e.RuleId, e.WorkspaceId, e.After, false);
    public AlertRule Apply(AlertRuleSaved e) => this with { Definition = e.After, Deleted = false };
    public AlertRule Apply(AlertRuleDeleted _) => this with { Deleted = true };
}

public static class LabelNames
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 128 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

/// <summary>The built-in rules' defaults, and which are workspace rules and which platform rules.</summary>
public static class BuiltInRules
{
    public static readonly IReadOnlyList<BuiltInRule> All = Enum.GetValues<BuiltInRule>();

    /// <summary>
    /// Platform rules watch the fleet (clusters, nodes, credentials, every grant); workspace rules watch the
    /// workspace's clusters, service maps and grants.
    /// </summary>
    public static bool AppliesTo(BuiltInRule rule, Guid? workspaceId) => workspaceId is null
        ? rule is BuiltInRule.ClusterUnreachable or BuiltInRule.NodeNotReady or BuiltInRule.ClusterCredentialExpiring or BuiltInRule.AccessGrantExpiring
        : rule is not (BuiltInRule.NodeNotReady or BuiltInRule.ClusterCredentialExpiring);

    public static IEnumerable<BuiltInRule> For(Guid? workspaceId) => All.Where(r => AppliesTo(r, workspaceId));

    public static AlertRuleDefinition Default(BuiltInRule rule, Guid? workspaceId) => rule switch
    {
        BuiltInRule.ClusterUnreachable => Make("Cluster unreachable", rule, TimeSpan.FromMinutes(2), AlertSeverity.Critical, null),
        BuiltInRule.NodeNotReady => Make("Node not ready", rule, TimeSpan.FromMinutes(5), AlertSeverity.Warning, null),
        BuiltInRule.PodRestarting => Make("Pod crash-looping", rule, TimeSpan.FromMinutes(5), AlertSeverity.Warning, 3),
        BuiltInRule.WorkloadUnavailable => Make("Workload unavailable", rule, TimeSpan.FromMinutes(5), AlertSeverity.Critical, null),
        BuiltInRule.QuotaNearlyUsed => Make("Service map quota nearly used", rule, TimeSpan.Zero, AlertSeverity.Warning, 90),
        BuiltInRule.PvcNearlyFull => Make("Volume nearly full", rule, TimeSpan.FromMinutes(5), AlertSeverity.Warning, 90),
        BuiltInRule.ClusterCredentialExpiring => Make("Cluster credential expiring", rule, TimeSpan.Zero, AlertSeverity.Warning, 7),
        BuiltInRule.AccessGrantExpiring => Make("Access grant expiring", rule, TimeSpan.Zero, AlertSeverity.Info, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };

    /// <summary>What the threshold counts, for the rule editor.</summary>
    public static string? ThresholdMeaning(BuiltInRule rule) => rule switch
    {
        BuiltInRule.PodRestarting => "restarts in the last 15 minutes",
        BuiltInRule.QuotaNearlyUsed or BuiltInRule.PvcNearlyFull => "percent used",
        BuiltInRule.ClusterCredentialExpiring or BuiltInRule.AccessGrantExpiring => "days before the end",
        _ => null,
    };

    public static string? ThresholdProblem(BuiltInRule rule, double? threshold) => (ThresholdMeaning(rule), threshold) switch
    {
        (null, null) => null,
        (null, _) => "This rule has no threshold.",
        (_, null) => "Give a threshold.",
        ("percent used", var t) when t is <= 0 or > 100 => "A percentage between 1 and 100.",
        (_, var t) when t <= 0 || t > 3650 => "A positive number.",
        _ => null,
    };

    private static AlertRuleDefinition Make(string name, BuiltInRule rule, TimeSpan @for, AlertSeverity severity, double? threshold) =>
        new(name, rule, null, @for, severity, new Dictionary<string, string>(), null, threshold, true);
}
