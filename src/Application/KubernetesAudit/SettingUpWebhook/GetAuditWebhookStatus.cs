using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.KubernetesAudit.Webhook;

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

/// <summary>The webhook's last batch and last refusal, for the cluster's Audit tab.</summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetAuditWebhookStatus(Guid ClusterId) : IRequest<AuditWebhookStatusView>;

public sealed record AuditWebhookStatusView(
    Guid ClusterId, bool Configured, DateTimeOffset? LastBatchAt, int LastBatchEvents, DateTimeOffset? LastRefusalAt, string? LastRefusalReason);

public static class GetAuditWebhookStatusHandler
{
    public static async Task<Result<AuditWebhookStatusView>> Handle(GetAuditWebhookStatus query, IQuerySession session, CancellationToken ct)
    {
        if (await session.LoadAsync<Clusters.ClusterView>(query.ClusterId, ct) is null) return Failure.NotFound("No such cluster.");
        var configured = await session.LoadAsync<ClusterAuditWebhook>(query.ClusterId, ct) is not null;
        var delivery = await session.LoadAsync<AuditWebhookDelivery>(query.ClusterId, ct);
        var refusal = await session.LoadAsync<AuditWebhookRefusal>(query.ClusterId, ct);
        return new AuditWebhookStatusView(query.ClusterId, configured, delivery?.At, delivery?.Events ?? 0, refusal?.At, refusal?.Reason);
    }
}
