using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cocktail.Application.Alerts.Firing;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.KubernetesAudit.Ingesting;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Monitoring;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.Alerts.ReceivingAlertmanager;

/// <summary>
/// Alertmanager's webhook (payload version 4) from a cluster, authenticated by the cluster's secret as a bearer token.
/// Each alert becomes the same events as Cocktail's own, routed to the workspace whose service map owns the alert's
/// <c>namespace</c> label on that cluster, else to the platform. The body is read only once the sender is known.
/// </summary>
[Anonymous]
[Writes]
public sealed record ReceiveAlertmanagerAlerts(Guid ClusterId, [property: Secret] string? Secret, IAuditBatchBody Body) : IRequest<AlertmanagerReceipt>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed record AlertmanagerReceipt(int Alerts, int Fired, int Resolved);

public sealed record AlertmanagerPayload(
    string? Version, string? Status, string? Receiver, string? GroupKey, IReadOnlyList<AlertmanagerAlert>? Alerts);

public sealed record AlertmanagerAlert(
    string? Status, Dictionary<string, string>? Labels, Dictionary<string, string>? Annotations, DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt, string? Fingerprint);

public static class ReceiveAlertmanagerAlertsHandler
{
    public const string Unauthorized = "Send the cluster's Alertmanager secret as a bearer token (http_config.authorization).";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };

    public static async Task<Result<AlertmanagerReceipt>> Handle(ReceiveAlertmanagerAlerts command, IDocumentSession session, IMessageContext messages,
        IOptions<AlertingOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var webhook = await session.LoadAsync<AlertmanagerWebhook>(command.ClusterId, ct);
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (webhook is null || cluster is null || command.Secret is null || !AlertmanagerSecrets.Matches(webhook, command.Secret))
            return Failure.Unauthorized(Unauthorized);

        var (payload, error) = Read(await command.Body.ReadAsync(ct));
        if (error is not null) return Failure.Invalid(error, "body");

        var now = clock.GetUtcNow();
        var maps = await session.Query<ServiceMapView>().Where(m => m.ClusterId == cluster.Id).ToListAsync(ct);
        var transitions = await AlertTransitions.StartAsync(session, messages, options.Value.QuietTime, now,
            new Dictionary<Guid, string> { [cluster.Id] = cluster.Name }, ct);
        foreach (var alert in payload!.Alerts!)
        {
            var condition = Condition(cluster, maps, alert);
            if (alert.Status == "resolved")
            {
                var open = await session.Query<AlertView>().FirstOrDefaultAsync(a => a.Fingerprint == condition.Fingerprint && a.Firing, ct);
                if (open is not null)
                    await transitions.ResolveAsync(open, alert.EndsAt is { } end && end <= now ? end : now, "Alertmanager resolved it.", ct);
            }
            else await transitions.FireAsync(condition, now, ct);
        }
        webhook.LastReceivedAt = now;
        session.Store(webhook);
        return new AlertmanagerReceipt(payload.Alerts!.Count, transitions.Fired, transitions.Resolved);
    }

    /// <summary>The payload whole, or why it is refused (nothing is recorded then).</summary>
    public static (AlertmanagerPayload? Payload, string? Error) Read(ReadOnlyMemory<byte> body)
    {
        AlertmanagerPayload? payload;
        try { payload = JsonSerializer.Deserialize<AlertmanagerPayload>(body.Span, Json); }
        catch (JsonException e) { return (null, $"The body is not Alertmanager's webhook JSON: {e.Message}"); }
        if (payload is null) return (null, "The body is empty.");
        if (payload.Version != "4") return (null, $"Alertmanager's webhook payload version 4 is expected, not '{payload.Version}'.");
        if (payload.Alerts is null) return (null, "The payload has no 'alerts'.");
        if (payload.Alerts.Count > 1000) return (null, "At most 1000 alerts in one payload.");
        foreach (var alert in payload.Alerts)
        {
            if (alert?.Labels is null || !alert.Labels.TryGetValue("alertname", out var name) || string.IsNullOrWhiteSpace(name))
                return (null, "Every alert needs labels with an 'alertname'.");
            if (alert.Status is not ("firing" or "resolved")) return (null, $"An alert's status is 'firing' or 'resolved', not '{alert.Status}'.");
            if (alert.Labels.Count > 64 || alert.Labels.Any(l => !Domain.Monitoring.LabelNames.IsValid(l.Key) || l.Value is null || l.Value.Length > 1024))
                return (null, "Labels are at most 64, with valid names and values of at most 1024 characters.");
        }
        return (payload, null);
    }

    private static AlertCondition Condition(ClusterView cluster, IReadOnlyList<ServiceMapView> maps, AlertmanagerAlert alert)
    {
        var labels = new Dictionary<string, string>(alert.Labels!);
        labels.TryAdd(AlertLabels.Cluster, cluster.Name);
        var ns = labels.GetValueOrDefault(AlertLabels.Namespace);
        var map = ns is null ? null : maps.FirstOrDefault(m => m.Namespace == ns);
        var name = labels["alertname"];
        var severity = labels.GetValueOrDefault("severity")?.ToLowerInvariant() switch
        {
            "critical" or "page" or "error" => AlertSeverity.Critical,
            "info" or "none" => AlertSeverity.Info,
            _ => AlertSeverity.Warning,
        };
        var summary = alert.Annotations?.GetValueOrDefault("summary") ?? alert.Annotations?.GetValueOrDefault("description") ?? name;
        return new AlertCondition(Alert.FingerprintOf("alertmanager:" + cluster.Id, labels), null, name, severity, map?.WorkspaceId, cluster.Id, map?.Id,
            labels, summary.Length > 1000 ? summary[..1000] : summary, null, AlertSource.Alertmanager);
    }
}
