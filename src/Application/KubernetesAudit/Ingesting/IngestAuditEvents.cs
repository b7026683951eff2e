using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.KubernetesAudit.SettingUpWebhook;
using Marten;

namespace Cocktail.Application.KubernetesAudit.Ingesting;

/// <summary>
/// An audit.k8s.io/v1 EventList as a cluster's API server posts it to the audit webhook, authenticated by the cluster's
/// webhook secret (no user), idempotent on (auditID, stage), and stored before it is acknowledged, so an acknowledged
/// batch is never lost. It carries observations, not decisions, at thousands of events per second: no aggregate and
/// no event, only the rows. Every refusal is recorded with its reason for the cluster's Audit tab.
/// </summary>
/// <param name="Secret">As presented: a bearer token (https) or the URL's last segment (http); null when none came.</param>
/// <param name="Body">The request body; the events keep slices of it until they are stored.</param>
[Anonymous]
[Writes]
public sealed record IngestAuditEvents(Guid ClusterId, [property: Secret] string? Secret, IAuditBatchBody Body) : IRequest<IngestResult>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>Reads an EventList whole or refuses it whole; hand-written in Infrastructure for speed.</summary>
public interface IAuditEventListParser
{
    (IReadOnlyList<ParsedAuditEvent> Events, string? Error) Read(Guid clusterId, ReadOnlyMemory<byte> body);
}

public static class IngestAuditEventsHandler
{
    public const string Unauthorized =
        "Send the cluster's audit webhook secret: as a bearer token over https, or in the URL of the webhook kubeconfig Cocktail gives.";

    public static async Task<Result<IngestResult>> Handle(IngestAuditEvents command, IQuerySession session, IAuditEventListParser parser,
        GrantDirectory directory, IKubernetesAuditStore store, WebhookObservations observations, TimeProvider clock, CancellationToken ct)
    {
        var webhook = await session.LoadAsync<ClusterAuditWebhook>(command.ClusterId, ct);
        if (webhook is null) return Failure.Unauthorized(Unauthorized);
        if (command.Secret is null || !AuditWebhookSecrets.Matches(webhook, command.Secret))
        {
            var reason = command.Secret is null ? AuditWebhookRefusals.NoCredentials : AuditWebhookRefusals.WrongSecret;
            await observations.RefusedAsync(command.ClusterId, clock.GetUtcNow(), reason, ct);
            return Failure.Unauthorized(Unauthorized);
        }

        var (events, error) = parser.Read(command.ClusterId, await command.Body.ReadAsync(ct));
        if (error is not null)
        {
            await observations.RefusedAsync(command.ClusterId, clock.GetUtcNow(), AuditWebhookRefusals.Malformed(error), ct);
            return Failure.Invalid(error, "body");
        }
        var result = await store.IngestAsync(command.ClusterId, await directory.EnrichAsync(command.ClusterId, events, ct), ct);
        await observations.DeliveredAsync(command.ClusterId, clock.GetUtcNow(), events.Count, ct);
        return result;
    }
}

/// <summary>
/// The batch's bytes, read when the handler asks: only once the sender has proved to be the cluster, so an
/// unauthenticated caller's body is never buffered. Reading it again gives the same bytes.
/// </summary>
public interface IAuditBatchBody
{
    ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken ct);
}
