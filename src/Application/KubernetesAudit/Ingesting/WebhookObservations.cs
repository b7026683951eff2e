using System.Collections.Concurrent;
using Marten;

namespace Cocktail.Application.KubernetesAudit.Ingesting;

/// <summary>
/// The last batch a cluster's API servers delivered. Observed state, not a domain event: with
/// <see cref="AuditWebhookRefusal"/> it answers "is anything arriving, and if not, why not?". Two documents, each
/// written whole, so a batch and a refusal recorded at the same moment cannot overwrite each other.
/// </summary>
public sealed record AuditWebhookDelivery(Guid Id, DateTimeOffset At, int Events);

/// <summary>The last batch refused, and why.</summary>
public sealed record AuditWebhookRefusal(Guid Id, DateTimeOffset At, string Reason);

/// <summary>Why a batch was refused, in words an operator can act on. None of them repeats what the caller sent.</summary>
public static class AuditWebhookRefusals
{
    public const string NoCredentials =
        "The batch carried no credentials. API servers send none over plain http (client-go reads a kubeconfig's token " +
        "only for https servers): use the webhook kubeconfig Cocktail gives now, whose URL carries the secret.";

    public const string WrongSecret =
        "The batch's secret is not this cluster's current one (was it rotated?): give the API servers the current webhook kubeconfig.";

    public static string Malformed(string error) => $"The batch was not a valid audit.k8s.io/v1 EventList: {error}";
}

/// <summary>
/// Records deliveries and refusals for the Audit tab, last write wins: several API servers of one cluster may report
/// at once, and any of them is the latest news. An API server only logs a refusal on its own node, so this is where
/// an operator learns of it.
/// </summary>
public sealed class WebhookObservations(IDocumentStore documents)
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _lastDelivery = new();

    public Task RefusedAsync(Guid clusterId, DateTimeOffset at, string reason, CancellationToken ct) =>
        StoreAsync(new AuditWebhookRefusal(clusterId, at, reason), ct);

    /// <summary>
    /// The Audit tab needs "when did the last batch arrive" to the second, not a write per batch: at one a second per
    /// cluster and replica, the record costs nothing next to the batches' own rows (it cost about a tenth of the
    /// ingest throughput when written for every batch).
    /// </summary>
    public Task DeliveredAsync(Guid clusterId, DateTimeOffset at, int events, CancellationToken ct)
    {
        var last = _lastDelivery.GetOrAdd(clusterId, DateTimeOffset.MinValue);
        return at - last >= TimeSpan.FromSeconds(1) && _lastDelivery.TryUpdate(clusterId, at, last)
            ? StoreAsync(new AuditWebhookDelivery(clusterId, at, events), ct)
            : Task.CompletedTask;
    }

    private async Task StoreAsync<T>(T observed, CancellationToken ct) where T : notnull
    {
        await using var session = documents.LightweightSession();
        session.Store(observed);
        await session.SaveChangesAsync(ct);
    }
}
