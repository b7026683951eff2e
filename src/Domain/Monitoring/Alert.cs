using System.Security.Cryptography;
using System.Text;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring;

/// <summary>What an evaluation (or an Alertmanager webhook) saw holding for one fingerprint.</summary>
public sealed record AlertCondition(
    string Fingerprint, Guid? RuleId, string RuleName, AlertSeverity Severity, Guid? WorkspaceId, Guid? ClusterId, Guid? ServiceMapId,
    IReadOnlyDictionary<string, string> Labels, string Summary, double? Value, AlertSource Source);

/// <summary>
/// One alert stream per fingerprint. At most one open occurrence (no duplicate <see cref="AlertFired"/> while it is
/// open). The flapping guard is a minimum quiet time: once resolved, the same fingerprint fires again only after
/// <c>quiet</c> has passed since it resolved, however often the condition comes and goes meanwhile; an evaluation
/// that still sees it after the quiet time fires it then.
/// </summary>
public sealed record Alert(Guid Id, string Fingerprint, string RuleName, Guid? OpenAlertId, DateTimeOffset? LastResolvedAt, ActorRef? AcknowledgedBy)
{
    public bool IsOpen => OpenAlertId is not null;

    public static Guid StreamId(string fingerprint) => DerivedIds.From("alert:" + fingerprint, Guid.Empty);

    /// <summary>A stable fingerprint of the rule and the alert's labels (order does not matter).</summary>
    public static string FingerprintOf(string rule, IReadOnlyDictionary<string, string> labels)
    {
        var text = new StringBuilder(rule);
        foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal)) text.Append('\0').Append(name).Append('=').Append(value);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())), 0, 16).ToLowerInvariant();
    }

    /// <summary>The first time a fingerprint fires: its stream starts.</summary>
    public static Decision FireFirst(Guid alertId, AlertCondition condition, DateTimeOffset at) => Decision.Accept(Fired(alertId, condition, at));

    public Decision Fire(Guid alertId, AlertCondition condition, TimeSpan quiet, DateTimeOffset at)
    {
        if (IsOpen) return Decision.Nothing;
        if (LastResolvedAt is { } resolved && at - resolved < quiet) return Decision.Nothing;
        return Decision.Accept(Fired(alertId, condition, at));
    }

    public Decision Resolve(DateTimeOffset at, string? reason = null) =>
        OpenAlertId is { } open ? Decision.Accept(new AlertResolved(open, Fingerprint, RuleName, at, reason)) : Decision.Nothing;

    public Decision Acknowledge(Guid alertId, ActorRef by, string? note, DateTimeOffset at)
    {
        if (OpenAlertId != alertId) return DomainError.Conflict("The alert is no longer firing.");
        if (AcknowledgedBy is { } already) return DomainError.Conflict($"{already.Name} has already acknowledged this alert.");
        if (note?.Trim().Length > 1000) return DomainError.Invalid("A note has at most 1000 characters.", "note");
        return Decision.Accept(new AlertAcknowledged(alertId, Fingerprint, RuleName, by, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), at));
    }

    private static AlertFired Fired(Guid alertId, AlertCondition c, DateTimeOffset at) =>
        new(alertId, c.Fingerprint, c.RuleId, c.RuleName, c.Severity, c.WorkspaceId, c.ClusterId, c.ServiceMapId, c.Labels, c.Summary, c.Value, c.Source, at);

    public static Alert Create(AlertFired e) => new(StreamId(e.Fingerprint), e.Fingerprint, e.RuleName, e.AlertId, null, null);
    public Alert Apply(AlertFired e) => this with { OpenAlertId = e.AlertId, RuleName = e.RuleName, AcknowledgedBy = null };
    public Alert Apply(AlertResolved e) => this with { OpenAlertId = null, LastResolvedAt = e.ResolvedAt, AcknowledgedBy = null };
    public Alert Apply(AlertAcknowledged e) => this with { AcknowledgedBy = e.By };
}
