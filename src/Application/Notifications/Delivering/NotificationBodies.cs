using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Domain.Monitoring;

namespace Cocktail.Application.Notifications.Delivering;

/// <summary>One notification as a sender needs it: what to say, to which channel, under which delivery id.</summary>
public sealed record OutgoingNotification(
    Guid DeliveryId, Guid ChannelId, string ChannelName, string? WorkspaceName, string? RouteName, GroupNotification Content, bool Test, DateTimeOffset SentAt)
{
    public string Status => Content.Firing ? "firing" : "resolved";
}

/// <summary>
/// The bodies each kind of channel reads. The generic webhook's JSON carries its own time (<c>sentAt</c>, and the same
/// Unix time in <see cref="TimestampHeader"/>) so the HMAC of the body also covers the time: a receiver that refuses
/// bodies older than a few minutes cannot be replayed to.
/// </summary>
public static class NotificationBodies
{
    public const string SignatureHeader = "X-Cocktail-Signature";
    public const string TimestampHeader = "X-Cocktail-Timestamp";
    public const string DeliveryHeader = "X-Cocktail-Delivery";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Webhook(OutgoingNotification n) => JsonSerializer.Serialize(new
    {
        version = "1",
        deliveryId = n.DeliveryId,
        status = n.Status,
        test = n.Test,
        sentAt = n.SentAt.ToUnixTimeSeconds(),
        workspace = n.WorkspaceName,
        route = n.RouteName,
        channel = n.ChannelName,
        groupLabels = n.Content.GroupLabels,
        alerts = n.Content.Alerts.Select(a => new
        {
            alertId = a.AlertId, fingerprint = a.Fingerprint, status = a.Firing ? "firing" : "resolved", rule = a.RuleName,
            severity = a.Severity.ToString().ToLowerInvariant(), clusterId = a.ClusterId, cluster = a.ClusterName, serviceMapId = a.ServiceMapId,
            labels = a.Labels, summary = a.Summary, at = a.At,
        }),
    }, Json);

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of the body's UTF-8 bytes under the channel's key.</summary>
    public static string Signature(string key, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body)));

    public static string Title(OutgoingNotification n)
    {
        var firing = n.Content.Alerts.Count(a => a.Firing);
        var resolved = n.Content.Alerts.Count - firing;
        var prefix = n.Test ? "[TEST] " : "";
        var first = n.Content.Alerts.FirstOrDefault();
        var what = n.Content.Alerts.Count == 1 && first is not null ? first.RuleName : $"{n.Content.Alerts.Count} alerts";
        var where = n.WorkspaceName is null ? "platform" : n.WorkspaceName;
        return firing > 0
            ? $"{prefix}[FIRING:{firing}] {what} ({where})"
            : $"{prefix}[RESOLVED:{resolved}] {what} ({where})";
    }

    public static IEnumerable<string> Lines(OutgoingNotification n) => n.Content.Alerts.Select(a =>
        $"{(a.Firing ? "🔥" : "✅")} {a.Severity.ToString().ToUpperInvariant()} {a.RuleName}{(a.ClusterName is null ? "" : $" on {a.ClusterName}")}: {a.Summary}");

    /// <summary>Slack's incoming-webhook message: <c>text</c> for notifications and clients without blocks, and blocks.</summary>
    public static string Slack(OutgoingNotification n)
    {
        var title = Title(n);
        var lines = string.Join("\n", Lines(n));
        var body = new JsonObject
        {
            ["text"] = $"{title}\n{lines}",
            ["blocks"] = new JsonArray(
                new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut(title, 150) } },
                new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(lines, 3000) } }),
        };
        return body.ToJsonString();
    }

    /// <summary>
    /// Teams: a message with one Adaptive Card attachment, the form Microsoft documents for incoming webhooks and the
    /// Workflows webhooks that replace them.
    /// </summary>
    public static string Teams(OutgoingNotification n)
    {
        var body = new JsonArray(new JsonObject
        {
            ["type"] = "TextBlock", ["text"] = Title(n), ["weight"] = "Bolder", ["size"] = "Medium", ["wrap"] = true,
            ["color"] = n.Content.Firing ? "Attention" : "Good",
        });
        foreach (var line in Lines(n)) body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = line, ["wrap"] = true });
        var card = new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = new JsonObject
                {
                    ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                    ["type"] = "AdaptiveCard",
                    ["version"] = "1.4",
                    ["body"] = body,
                },
            }),
        };
        return card.ToJsonString();
    }

    public static string EmailSubject(OutgoingNotification n) => Title(n);

    public static string EmailText(OutgoingNotification n)
    {
        var text = new StringBuilder().AppendLine(Title(n)).AppendLine();
        foreach (var a in n.Content.Alerts)
        {
            text.AppendLine($"{(a.Firing ? "FIRING" : "RESOLVED")} {a.Severity} {a.RuleName}{(a.ClusterName is null ? "" : $" on {a.ClusterName}")}");
            text.AppendLine($"  {a.Summary}");
            foreach (var (name, value) in a.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)) text.AppendLine($"  {name}={value}");
            text.AppendLine($"  since {a.At:u}").AppendLine();
        }
        return text.Append($"Sent by Cocktail (channel {n.ChannelName}{(n.RouteName is null ? "" : $", route {n.RouteName}")}).").ToString();
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
