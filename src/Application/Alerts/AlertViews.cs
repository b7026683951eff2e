using Cocktail.Domain.Monitoring;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Cocktail.Application.Alerts;

/// <summary>A saved rule (a custom rule, or a built-in a workspace or the platform tuned); projected inline.</summary>
public sealed class AlertRuleView
{
    public Guid Id { get; set; }
    public Guid? WorkspaceId { get; set; }
    public AlertRuleDefinition Definition { get; set; } = null!;
    public DateTimeOffset ChangedAt { get; set; }
    public string ChangedBy { get; set; } = "";
    public long Version { get; set; }

    public static AlertRuleView Create(IEvent<AlertRuleSaved> e) => new()
    {
        Id = e.Data.RuleId, WorkspaceId = e.Data.WorkspaceId, Definition = e.Data.After, ChangedAt = e.Data.At, ChangedBy = e.Data.By.Name,
        Version = e.Version,
    };

    public void Apply(IEvent<AlertRuleSaved> e)
    {
        Definition = e.Data.After;
        ChangedAt = e.Data.At;
        ChangedBy = e.Data.By.Name;
        Version = e.Version;
    }

    public bool ShouldDelete(AlertRuleDeleted _) => true;
}

/// <summary>One occurrence of an alert (from its firing to its resolution), as the alerts pages list them.</summary>
public sealed class AlertView
{
    public Guid Id { get; set; }
    public string Fingerprint { get; set; } = "";
    public Guid? RuleId { get; set; }
    public string RuleName { get; set; } = "";
    public AlertSeverity Severity { get; set; }
    public Guid? WorkspaceId { get; set; }
    public Guid? ClusterId { get; set; }
    public Guid? ServiceMapId { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    public string Summary { get; set; } = "";
    public double? Value { get; set; }
    public AlertSource Source { get; set; }
    public DateTimeOffset FiredAt { get; set; }
    public bool Firing { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedReason { get; set; }
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgementNote { get; set; }

    /// <summary>The labels silences and notifications match on: the alert's own, its name and its severity.</summary>
    public IReadOnlyDictionary<string, string> MatchLabels() => AlertLabels.ForMatching(Labels, RuleName, Severity);
}

public static class AlertLabels
{
    public const string Cluster = "cluster";
    public const string Namespace = "namespace";
    public const string ServiceMap = "service_map";

    public static IReadOnlyDictionary<string, string> ForMatching(IReadOnlyDictionary<string, string> labels, string ruleName, AlertSeverity severity) =>
        new Dictionary<string, string>(labels) { ["alertname"] = ruleName, ["severity"] = severity.ToString().ToLowerInvariant() };
}

public sealed partial class AlertViewProjection : MultiStreamProjection<AlertView, Guid>
{
    public AlertViewProjection()
    {
        Identity<AlertFired>(e => e.AlertId);
        Identity<AlertResolved>(e => e.AlertId);
        Identity<AlertAcknowledged>(e => e.AlertId);
    }

    public AlertView Create(AlertFired e) => new()
    {
        Id = e.AlertId, Fingerprint = e.Fingerprint, RuleId = e.RuleId, RuleName = e.RuleName, Severity = e.Severity, WorkspaceId = e.WorkspaceId,
        ClusterId = e.ClusterId, ServiceMapId = e.ServiceMapId, Labels = new(e.Labels), Summary = e.Summary, Value = e.Value, Source = e.Source,
        FiredAt = e.FiredAt, Firing = true,
    };

    public void Apply(AlertResolved e, AlertView view)
    {
        view.Firing = false;
        view.ResolvedAt = e.ResolvedAt;
        view.ResolvedReason = e.Reason;
    }

    public void Apply(AlertAcknowledged e, AlertView view)
    {
        view.AcknowledgedBy = e.By.Name;
        view.AcknowledgedAt = e.At;
        view.AcknowledgementNote = e.Note;
    }
}

/// <summary>A silence as the pages list it; projected inline.</summary>
public sealed class SilenceView
{
    public Guid Id { get; set; }
    public Guid? WorkspaceId { get; set; }
    public List<LabelMatcher> Matchers { get; set; } = [];
    public DateTimeOffset Until { get; set; }
    public string CreatedBy { get; set; } = "";
    public string Reason { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiredAt { get; set; }

    public bool Covers(Guid? workspaceId, IReadOnlyDictionary<string, string> labels, DateTimeOffset at) =>
        ExpiredAt is null && at < Until && workspaceId == WorkspaceId && Silence.Matches(Matchers, labels);

    public static SilenceView Create(AlertSilenced e) => new()
    {
        Id = e.SilenceId, WorkspaceId = e.WorkspaceId, Matchers = [.. e.Matchers], Until = e.Until, CreatedBy = e.By.Name, Reason = e.Reason, CreatedAt = e.At,
    };

    public void Apply(SilenceExpired e) => ExpiredAt = e.At;
}

/// <summary>
/// A rule's conditions that hold but have not held for its <c>for</c> yet, by fingerprint and since when. Observed
/// state, not events: kept as a document so a replica taking over the evaluation goes on from where it stood.
/// </summary>
public sealed class AlertPendingState
{
    public Guid Id { get; set; }
    public Dictionary<string, DateTimeOffset> Since { get; set; } = [];
}
