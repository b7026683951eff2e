using Cocktail.Application.Monitoring;
using Cocktail.Domain.Monitoring;
using Marten;
using Wolverine;

namespace Cocktail.Application.Alerts.Firing;

/// <summary>
/// Fires and resolves alerts through their aggregate (one stream per fingerprint) and, unless a silence covers the
/// alert, tells the notification channels through the durable outbox: the message commits with the events or not
/// at all. Shared by the rule evaluation and the Alertmanager webhook.
/// </summary>
public sealed class AlertTransitions(IDocumentSession session, IMessageContext messages, IReadOnlyList<SilenceView> silences,
    IReadOnlyDictionary<Guid, string> clusterNames, TimeSpan quiet)
{
    private readonly HashSet<string> _touched = [];

    public int Fired { get; private set; }
    public int Resolved { get; private set; }

    public static async Task<AlertTransitions> StartAsync(IDocumentSession session, IMessageContext messages, TimeSpan quiet, DateTimeOffset now,
        IReadOnlyDictionary<Guid, string> clusterNames, CancellationToken ct)
    {
        var silences = await session.Query<SilenceView>().Where(s => s.ExpiredAt == null && s.Until > now).ToListAsync(ct);
        return new AlertTransitions(session, messages, silences, clusterNames, quiet);
    }

    public async Task FireAsync(AlertCondition condition, DateTimeOffset at, CancellationToken ct)
    {
        if (!_touched.Add(condition.Fingerprint)) return; // one decision per stream and transaction
        var stream = await session.Events.FetchForWriting<Alert>(Alert.StreamId(condition.Fingerprint), ct);
        var alertId = Guid.CreateVersion7();
        var decision = stream.Aggregate is { } alert ? alert.Fire(alertId, condition, quiet, at) : Alert.FireFirst(alertId, condition, at);
        if (decision.Events.Count == 0) return;
        stream.AppendMany(decision.Events.ToArray());
        Fired++;
        if (!Silenced(condition.WorkspaceId, AlertLabels.ForMatching(condition.Labels, condition.RuleName, condition.Severity), at))
            await messages.PublishAsync(new AlertStateChanged(alertId, condition.Fingerprint, true, condition.RuleName, condition.Severity,
                condition.WorkspaceId, condition.ClusterId, ClusterName(condition.ClusterId, condition.Labels), condition.ServiceMapId,
                condition.Labels, condition.Summary, at));
    }

    /// <summary>Resolves the open occurrence (as the read model shows it) if it is still the open one.</summary>
    public async Task ResolveAsync(AlertView open, DateTimeOffset at, string? reason, CancellationToken ct)
    {
        if (!_touched.Add(open.Fingerprint)) return;
        var stream = await session.Events.FetchForWriting<Alert>(Alert.StreamId(open.Fingerprint), ct);
        if (stream.Aggregate is not { } alert || alert.OpenAlertId != open.Id) return;
        var decision = alert.Resolve(at, reason);
        if (decision.Events.Count == 0) return;
        stream.AppendMany(decision.Events.ToArray());
        Resolved++;
        if (!Silenced(open.WorkspaceId, open.MatchLabels(), at))
            await messages.PublishAsync(new AlertStateChanged(open.Id, open.Fingerprint, false, open.RuleName, open.Severity, open.WorkspaceId,
                open.ClusterId, ClusterName(open.ClusterId, open.Labels), open.ServiceMapId, open.Labels, open.Summary, at));
    }

    private bool Silenced(Guid? workspaceId, IReadOnlyDictionary<string, string> labels, DateTimeOffset at) =>
        silences.Any(s => s.Covers(workspaceId, labels, at));

    private string? ClusterName(Guid? clusterId, IReadOnlyDictionary<string, string> labels) =>
        clusterId is { } id && clusterNames.TryGetValue(id, out var name) ? name : labels.GetValueOrDefault(AlertLabels.Cluster);
}
