using System.Security.Cryptography;
using System.Text;
using Cocktail.Application.ApiTokens;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Alerts.ReceivingAlertmanager;

/// <summary>A cluster's Alertmanager webhook secret, stored only as a hash: it is shown once, when made.</summary>
public sealed class AlertmanagerWebhook
{
    public Guid Id { get; set; }
    public string SecretHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset? LastReceivedAt { get; set; }
}

/// <summary>A cluster got a new Alertmanager webhook secret (the old one, if any, stops working at once).</summary>
public sealed record AlertmanagerSecretCreated(Guid ClusterId, string ClusterName, ActorRef By, DateTimeOffset At);

public static class AlertmanagerSecrets
{
    public static string New() => "ckam_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    public static bool Matches(AlertmanagerWebhook webhook, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(webhook.SecretHash), Encoding.ASCII.GetBytes(ApiTokenSecrets.Hash(presented)));
}

/// <summary>The set-up for the cluster's Alertmanager, with the secret: answered once, when it is made.</summary>
public sealed record AlertmanagerWebhookSecret(Guid ClusterId, string Url, [property: Secret] string Secret, string ReceiverConfig)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>Whether the cluster has a secret, and when Alertmanager last posted. Never the secret.</summary>
public sealed record AlertmanagerWebhookStatus(Guid ClusterId, string Url, bool Configured, DateTimeOffset? CreatedAt, string? CreatedBy, DateTimeOffset? LastReceivedAt);

/// <summary>Makes the cluster's first Alertmanager webhook secret, or replaces the current one.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
[Writes]
public sealed record RotateAlertmanagerSecret(Guid ClusterId, string BaseUrl) : IRequest<AlertmanagerWebhookSecret>;

public static class RotateAlertmanagerSecretHandler
{
    public static async Task<Result<AlertmanagerWebhookSecret>> Handle(RotateAlertmanagerSecret command, Actor actor, IDocumentSession session,
        TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var secret = AlertmanagerSecrets.New();
        var now = clock.GetUtcNow();
        session.Store(new AlertmanagerWebhook { Id = cluster.Id, SecretHash = ApiTokenSecrets.Hash(secret), CreatedAt = now, CreatedBy = actor.UserName });
        session.Events.Append(cluster.Id, new AlertmanagerSecretCreated(cluster.Id, cluster.Name, actor.Ref, now));
        var url = Url(command.BaseUrl, cluster.Id);
        return new AlertmanagerWebhookSecret(cluster.Id, url, secret, ReceiverConfig(url, secret));
    }

    public static string Url(string baseUrl, Guid clusterId) => $"{baseUrl.TrimEnd('/')}/api/v1/clusters/{clusterId}/alertmanager";

    /// <summary>The receiver to paste into alertmanager.yml.</summary>
    public static string ReceiverConfig(string url, string secret) => $"""
        receivers:
          - name: cocktail
            webhook_configs:
              - url: {url}
                send_resolved: true
                http_config:
                  authorization:
                    type: Bearer
                    credentials: {secret}
        """;
}

[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetAlertmanagerWebhook(Guid ClusterId, string BaseUrl) : IRequest<AlertmanagerWebhookStatus>;

public static class GetAlertmanagerWebhookHandler
{
    public static async Task<Result<AlertmanagerWebhookStatus>> Handle(GetAlertmanagerWebhook query, IQuerySession session, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var webhook = await session.LoadAsync<AlertmanagerWebhook>(cluster.Id, ct);
        return new AlertmanagerWebhookStatus(cluster.Id, RotateAlertmanagerSecretHandler.Url(query.BaseUrl, cluster.Id), webhook is not null,
            webhook?.CreatedAt, webhook?.CreatedBy, webhook?.LastReceivedAt);
    }
}
