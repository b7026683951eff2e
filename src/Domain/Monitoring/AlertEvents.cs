using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring;

public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>Where an alert came from: Cocktail's own evaluation, or a cluster's Alertmanager through its webhook.</summary>
public enum AlertSource
{
    Cocktail,
    Alertmanager,
}

/// <summary>An Alertmanager-style label matcher (<c>=</c>, <c>!=</c>, <c>=~</c>, <c>!~</c>), as silences and routes use.</summary>
public sealed record LabelMatcher(string Name, string Operator, string Value);

/// <summary>
/// An alert started firing. The stream is one per fingerprint (rule + labels), so the same condition firing again
/// after it resolved is a new <see cref="AlertFired"/> on the same stream, never a second open alert.
/// <see cref="WorkspaceId"/> null: a platform alert, seen by platform admins only.
/// </summary>
public sealed record AlertFired(
    Guid AlertId, string Fingerprint, Guid? RuleId, string RuleName, AlertSeverity Severity,
    Guid? WorkspaceId, Guid? ClusterId, Guid? ServiceMapId, IReadOnlyDictionary<string, string> Labels,
    string Summary, double? Value, AlertSource Source, DateTimeOffset FiredAt);

/// <summary>The condition stopped holding (or Alertmanager said it resolved).</summary>
public sealed record AlertResolved(Guid AlertId, string Fingerprint, string RuleName, DateTimeOffset ResolvedAt, string? Reason = null);

/// <summary>Someone took the open alert on; it keeps firing until its condition ends.</summary>
public sealed record AlertAcknowledged(Guid AlertId, string Fingerprint, string RuleName, ActorRef By, string? Note, DateTimeOffset At);

/// <summary>Alerts matching every matcher notify nobody until <see cref="Until"/>.</summary>
public sealed record AlertSilenced(
    Guid SilenceId, Guid? WorkspaceId, IReadOnlyList<LabelMatcher> Matchers, DateTimeOffset Until, ActorRef By, string Reason, DateTimeOffset At);

/// <summary>A silence reached its end. <see cref="Matchers"/> (absent on early events) says which alerts it held back.</summary>
public sealed record SilenceExpired(Guid SilenceId, DateTimeOffset At, IReadOnlyList<LabelMatcher>? Matchers = null);
