using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Application.Monitoring;
using Cocktail.Domain.Monitoring;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;
using Xunit.Abstractions;

namespace Cocktail.Integration.Tests.Notifications;

/// <summary>Cocktail with quick retries, so a 503 then 200 takes a second, not minutes.</summary>
public sealed class NotificationsApp : CocktailApp
{
    public NotificationsApp()
    {
        WithSetting("Cocktail:Notifications:FirstRetryDelay", "00:00:00.300");
        WithSetting("Cocktail:Notifications:Timeout", "00:00:05");
    }

    /// <summary>What the alerts part sends when an alert fires or resolves, sent through the host's bus as it would.</summary>
    public async Task SendAlertAsync(AlertStateChanged alert)
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().PublishAsync(alert);
    }
}

[CollectionDefinition(Name)]
public sealed class NotificationsCollection : ICollectionFixture<NotificationsApp>
{
    public const string Name = "notifications";
}

[Collection(NotificationsCollection.Name)]
public sealed class NotificationChannelsTests(NotificationsApp app, ITestOutputHelper output) : IAsyncLifetime
{
    private WebhookReceiver _receiver = default!;
    private HttpClient _admin = default!;
    private TestUser _wsAdmin = default!, _viewer = default!;
    private string _workspaceId = "";

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _admin = await app.AsAdminAsync();
        var workspace = await (await _admin.PostAsJsonAsync("/api/v1/workspaces", new { name = $"ws-{Guid.NewGuid():N}"[..11] })).BodyAsync();
        _workspaceId = (string)workspace["id"]!;
        _wsAdmin = await app.CreateUserAsync();
        _viewer = await app.CreateUserAsync();
        foreach (var (user, role) in new[] { (_wsAdmin, "WorkspaceAdmin"), (_viewer, "Viewer") })
            (await _admin.PostAsJsonAsync($"/api/v1/workspaces/{_workspaceId}/members", new { userId = user.Id, role })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _admin.Dispose();
    }

    [Fact]
    public async Task a_webhook_channel_signs_each_alert_with_its_key_and_no_get_shows_its_secrets()
    {
        var url = TestSecrets.Remember($"{_receiver.BaseUrl}/hooks/{Guid.NewGuid():N}");
        var created = await CreateChannelAsync(new { name = "ops-hook", type = "Webhook", url });
        var key = (string)created["signingKey"]!;
        TestSecrets.Remember(key);
        var channelId = (string)created["channel"]!["id"]!;
        await CreateRouteAsync(new { name = "critical", channelIds = new[] { channelId }, severities = new[] { "Critical" }, groupWaitSeconds = 0 });

        var alert = Alert(firing: true, AlertSeverity.Critical, "Checkout pods are crash-looping");
        await app.SendAlertAsync(alert);

        var path = new Uri(url).AbsolutePath;
        var received = await Eventually.GetAsync(() => Task.FromResult(_receiver.To(path)), r => r.Count >= 1, because: "the signed webhook");
        var request = received[0];
        output.WriteLine($"AlertStateChanged sent to webhook received (group wait 0): {(request.At - alert.At).TotalMilliseconds:0} ms");
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(request.Body)));
        Assert.Equal(expected, request.Headers["X-Cocktail-Signature"]);
        var body = JsonNode.Parse(request.Body)!;
        Assert.Equal(request.Headers["X-Cocktail-Timestamp"], ((long)body["sentAt"]!).ToString());
        Assert.True(Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - (long)body["sentAt"]!) < 60);
        Assert.Equal("firing", (string?)body["status"]);
        Assert.Equal("Checkout pods are crash-looping", (string?)body["alerts"]![0]!["summary"]);
        Assert.Equal(alert.Fingerprint, (string?)body["alerts"]![0]!["fingerprint"]);

        foreach (var get in new[] { $"/api/v1/notification-channels/{channelId}", $"/api/v1/workspaces/{_workspaceId}/notification-channels",
                     $"/api/v1/notification-channels/{channelId}/deliveries", $"/api/v1/audit/events?streamId={channelId}" })
        {
            var text = await (await _admin.GetAsync(get)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(path, text);
            Assert.DoesNotContain(key, text);
        }
        var view = await (await _viewer.Client.GetAsync($"/api/v1/notification-channels/{channelId}")).BodyAsync();
        Assert.Equal(true, (bool?)view["secrets"]!["signingKeySet"]);
        Assert.Equal("….0.1", (string?)view["secrets"]!["urlHostEnding"]);
    }

    [Fact]
    public async Task slack_and_teams_channels_get_the_bodies_their_webhooks_read()
    {
        var slack = (string)(await CreateChannelAsync(new { name = "slack", type = "slack", url = $"{_receiver.BaseUrl}/slack" }))["channel"]!["id"]!;
        var teams = (string)(await CreateChannelAsync(new { name = "teams", type = "Teams", url = $"{_receiver.BaseUrl}/teams" }))["channel"]!["id"]!;

        foreach (var id in new[] { slack, teams })
            Assert.Equal(HttpStatusCode.Accepted, (await _wsAdmin.Client.PostAsync($"/api/v1/notification-channels/{id}/test", null)).StatusCode);

        var slackBody = JsonNode.Parse((await Eventually.GetAsync(() => Task.FromResult(_receiver.To("/slack")), r => r.Count == 1))[0].Body)!;
        Assert.Contains("CocktailTestNotification", (string)slackBody["text"]!);
        Assert.Equal("header", (string?)slackBody["blocks"]![0]!["type"]);
        Assert.Contains("Test notification for the channel slack", (string)slackBody["blocks"]![1]!["text"]!["text"]!);

        var teamsBody = JsonNode.Parse((await Eventually.GetAsync(() => Task.FromResult(_receiver.To("/teams")), r => r.Count == 1))[0].Body)!;
        Assert.Equal("message", (string?)teamsBody["type"]);
        var attachment = teamsBody["attachments"]![0]!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        Assert.Equal("AdaptiveCard", (string?)attachment["content"]!["type"]);
        Assert.Contains(attachment["content"]!["body"]!.AsArray(), b => ((string?)b!["text"])?.Contains("Test notification for the channel teams") == true);
        Assert.False(_receiver.To("/teams")[0].Headers.ContainsKey("X-Cocktail-Signature"));
    }

    [Fact]
    public async Task a_503_is_tried_again_after_a_backoff_and_delivered_while_a_400_is_not_tried_again()
    {
        _receiver.Script("/flaky", (503, "1"));
        _receiver.Script("/refusing", (400, null));
        var flaky = (string)(await CreateChannelAsync(new { name = "flaky", type = "Webhook", url = $"{_receiver.BaseUrl}/flaky" }))["channel"]!["id"]!;
        var refusing = (string)(await CreateChannelAsync(new { name = "refusing", type = "Webhook", url = $"{_receiver.BaseUrl}/refusing" }))["channel"]!["id"]!;

        await _wsAdmin.Client.PostAsync($"/api/v1/notification-channels/{flaky}/test", null);
        await _wsAdmin.Client.PostAsync($"/api/v1/notification-channels/{refusing}/test", null);

        var flakyLog = await Eventually.GetAsync(() => LogAsync(flaky), l => l.Count == 2 && (bool)l[0]!["succeeded"]!, because: "a retry that succeeds");
        Assert.Equal((2, 200), ((int)flakyLog[0]!["attempt"]!, (int)flakyLog[0]!["statusCode"]!));
        Assert.Equal((1, 503, false), ((int)flakyLog[1]!["attempt"]!, (int)flakyLog[1]!["statusCode"]!, (bool)flakyLog[1]!["succeeded"]!));
        Assert.NotNull((string?)flakyLog[1]!["retryAt"]);
        var first = _receiver.To("/flaky");
        Assert.True(first[1].At - first[0].At >= TimeSpan.FromSeconds(0.9), "Retry-After: 1 was honoured");
        Assert.Equal(first[0].Headers["X-Cocktail-Delivery"], first[1].Headers["X-Cocktail-Delivery"]);

        var refusedLog = await Eventually.GetAsync(() => LogAsync(refusing), l => l.Count >= 1, because: "the refused try");
        var refused = Assert.Single(refusedLog);
        Assert.Equal((400, false), ((int)refused!["statusCode"]!, (bool)refused["succeeded"]!));
        Assert.Null((string?)refused["retryAt"]);
        Assert.Contains("400", (string)refused["error"]!);
        Assert.Single(_receiver.To("/refusing"));
    }

    [Fact]
    public async Task an_email_channel_sends_the_alert_summary_over_smtp()
    {
        await using var mail = new MailReceiver();
        var password = TestSecrets.Remember($"smtp-{Guid.NewGuid():N}");
        var created = await CreateChannelAsync(new
        {
            name = "oncall-mail", type = "Email",
            smtp = new { host = "127.0.0.1", port = mail.Port, tlsMode = "None", from = "cocktail@example.com", to = new[] { "oncall@example.com" } },
        });
        var channelId = (string)created["channel"]!["id"]!;
        Assert.Null(created["signingKey"]);
        await CreateRouteAsync(new { name = "all", channelIds = new[] { channelId }, groupWaitSeconds = 0 });

        await app.SendAlertAsync(Alert(firing: true, AlertSeverity.Warning, "Node sim-node-1 is NotReady"));

        var message = await Eventually.GetAsync(() => Task.FromResult(mail.Messages.FirstOrDefault()), m => m is not null, because: "the mail");
        Assert.Contains("FIRING", message!.Subject);
        Assert.Contains("Node sim-node-1 is NotReady", message.TextBody);
        Assert.Equal("oncall@example.com", message.To.Mailboxes.Single().Address);
        var log = await Eventually.GetAsync(() => LogAsync(channelId), l => l.Count == 1);
        Assert.True((bool)log[0]!["succeeded"]!);

        // A user and password later: the password is kept and never shown.
        var changed = await _wsAdmin.Client.PutAsJsonAsync($"/api/v1/notification-channels/{channelId}", new
        {
            smtp = new { host = "127.0.0.1", port = mail.Port, tlsMode = "None", userName = "cocktail", password, from = "cocktail@example.com", to = new[] { "oncall@example.com" } },
        });
        var text = await changed.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.DoesNotContain(password, text);
        Assert.Equal(true, (bool?)JsonNode.Parse(text)!["secrets"]!["passwordSet"]);
    }

    [Fact]
    public async Task a_still_firing_alert_is_notified_again_after_the_repeat_interval_and_its_resolution_once()
    {
        var hook = (string)(await CreateChannelAsync(new { name = "repeat", type = "Webhook", url = $"{_receiver.BaseUrl}/repeat" }))["channel"]!["id"]!;
        await CreateRouteAsync(new
        {
            name = "team-shop", channelIds = new[] { hook }, matchers = new[] { new { name = "team", @operator = "=~", value = "shop|checkout" } },
            groupBy = new[] { "cluster" }, groupWaitSeconds = 0, repeatIntervalSeconds = 2, sendResolved = true,
        });
        var alert = Alert(firing: true, AlertSeverity.Critical, "Checkout is down");
        await app.SendAlertAsync(alert);
        await app.SendAlertAsync(Alert(firing: true, AlertSeverity.Critical, "Not this team's", team: "billing"));

        var twice = await Eventually.GetAsync(() => Task.FromResult(_receiver.To("/repeat")), r => r.Count >= 2, because: "the repeat");
        Assert.True(twice[1].At - twice[0].At >= TimeSpan.FromSeconds(1.5), "repeated after the interval, not at once");
        Assert.All(twice.Take(2), r => Assert.Equal("firing", (string?)JsonNode.Parse(r.Body)!["status"]));

        await app.SendAlertAsync(alert with { Firing = false, At = DateTimeOffset.UtcNow });
        var resolved = await Eventually.GetAsync(() => Task.FromResult(_receiver.To("/repeat")),
            r => r.Any(x => (string?)JsonNode.Parse(x.Body)!["status"] == "resolved"), because: "the resolution");
        Assert.DoesNotContain(resolved, r => r.Body.Contains("Not this team's"));
        Assert.Single(resolved, r => (string?)JsonNode.Parse(r.Body)!["status"] == "resolved");
    }

    [Fact]
    public async Task bad_channels_are_400_on_their_field_and_only_workspace_admins_change_channels()
    {
        var unknown = await _wsAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{_workspaceId}/notification-channels", new { name = "x", type = "Pager", url = "https://example.com/" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.NotNull((await unknown.BodyAsync())["errors"]!["type"]);

        var file = await _wsAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{_workspaceId}/notification-channels", new { name = "x", type = "Webhook", url = "file:///etc/passwd" });
        Assert.Equal(HttpStatusCode.BadRequest, file.StatusCode);
        Assert.NotNull((await file.BodyAsync())["errors"]!["url"]);

        var noSmtp = await _wsAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{_workspaceId}/notification-channels", new { name = "x", type = "Email" });
        Assert.Equal(HttpStatusCode.BadRequest, noSmtp.StatusCode);
        Assert.NotNull((await noSmtp.BodyAsync())["errors"]!["smtp"]);

        var byViewer = await _viewer.Client.PostAsJsonAsync($"/api/v1/workspaces/{_workspaceId}/notification-channels", new { name = "v", type = "Slack", url = "https://example.com/x" });
        Assert.Equal(HttpStatusCode.Forbidden, byViewer.StatusCode);
        var list = await _viewer.Client.GetAsync($"/api/v1/workspaces/{_workspaceId}/notification-channels");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);

        var badRoute = await _wsAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{_workspaceId}/notification-routes",
            new { name = "r", channelIds = new[] { Guid.NewGuid() }, matchers = new[] { new { name = "team", @operator = "=~", value = "(" } } });
        Assert.Equal(HttpStatusCode.BadRequest, badRoute.StatusCode);
        Assert.Empty(app.Log.Leaks(TestSecrets.All));
    }

    [Fact]
    public async Task a_webhook_to_a_link_local_metadata_address_is_refused_once_and_not_tried_again()
    {
        var channel = (string)(await CreateChannelAsync(new { name = "metadata", type = "Webhook", url = "http://169.254.169.254/latest/meta-data/" }))["channel"]!["id"]!;
        await _wsAdmin.Client.PostAsync($"/api/v1/notification-channels/{channel}/test", null);

        var log = await Eventually.GetAsync(() => LogAsync(channel), l => l.Count >= 1, because: "the refused try");
        var refused = Assert.Single(log);
        Assert.False((bool)refused!["succeeded"]!);
        Assert.Null((string?)refused["retryAt"]);
        Assert.Contains("address range", (string)refused["error"]!);
    }

    private AlertStateChanged Alert(bool firing, AlertSeverity severity, string summary, string team = "shop") => new(
        Guid.CreateVersion7(), $"fp-{Guid.NewGuid():N}", firing, "PodCrashLooping", severity, Guid.Parse(_workspaceId), Guid.NewGuid(), "sim-1", null,
        new Dictionary<string, string> { ["team"] = team, ["namespace"] = "checkout" }, summary, DateTimeOffset.UtcNow);

    private async Task<JsonNode> CreateChannelAsync(object body)
    {
        var response = await _wsAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{_workspaceId}/notification-channels", body);
        var json = await response.BodyAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToJsonString());
        return json;
    }

    private async Task CreateRouteAsync(object body)
    {
        var response = await _wsAdmin.Client.PostAsJsonAsync($"/api/v1/workspaces/{_workspaceId}/notification-routes", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private async Task<JsonArray> LogAsync(string channelId) =>
        (await (await _wsAdmin.Client.GetAsync($"/api/v1/notification-channels/{channelId}/deliveries")).BodyAsync()).AsArray();
}
