using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;

namespace Cocktail.Domain.Tests.Monitoring;

public sealed class NotificationChannelTests
{
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Workspace = Guid.NewGuid();

    [Fact]
    public void a_webhook_channel_without_a_signing_key_is_refused_on_that_field()
    {
        var refused = NotificationChannel.Create(Guid.NewGuid(), Workspace, "shop", "ops", NotificationChannelType.Webhook, null,
            new ChannelSecretHints("…e.com", false, false), Admin, At).Refused();
        Assert.Equal("signingKey", refused.Field);
    }

    [Fact]
    public void an_email_channel_keeps_its_smtp_settings_and_a_slack_channel_drops_them()
    {
        var smtp = new SmtpSettings("smtp.example.com", 587, SmtpTlsMode.StartTls, null, "c@example.com", ["o@example.com"]);
        var mail = (NotificationChannelCreated)NotificationChannel.Create(Guid.NewGuid(), Workspace, "shop", "mail", NotificationChannelType.Email, smtp,
            ChannelSecretHints.None, Admin, At).Single();
        var slack = (NotificationChannelCreated)NotificationChannel.Create(Guid.NewGuid(), Workspace, "shop", "chat", NotificationChannelType.Slack, smtp,
            new ChannelSecretHints("….com", false, false), Admin, At).Single();
        Assert.Equal(smtp, mail.Smtp);
        Assert.Null(slack.Smtp);
    }

    [Fact]
    public void Given_a_channel_When_nothing_changes_Then_no_event_and_When_it_is_removed_Then_it_cannot_change()
    {
        var hints = new ChannelSecretHints("…e.com", true, false);
        var created = new NotificationChannelCreated(Guid.NewGuid(), Workspace, "shop", "ops", NotificationChannelType.Webhook, null, hints, Admin, At);
        var channel = Given.Events<NotificationChannel>(created);
        Assert.Empty(channel.Change("ops", true, null, hints, false, Admin, At).Events);
        var changed = (NotificationChannelChanged)channel.Change("ops", true, null, hints, secretsReplaced: true, Admin, At).Single();
        Assert.True(changed.SecretsReplaced);

        var removed = Given.Events<NotificationChannel>(created, new NotificationChannelRemoved(created.ChannelId, Workspace, "ops", Admin, At, null));
        Assert.Equal(ErrorKind.NotFound, removed.Change("other", true, null, hints, false, Admin, At).Refused().Kind);
    }

    [Fact]
    public void the_host_hint_shows_at_most_its_last_four_characters()
    {
        Assert.Equal("….com", ChannelSecretHints.HostEnding("https://hooks.slack.com/services/T0/B0/secret"));
        Assert.Null(ChannelSecretHints.HostEnding("not a url"));
    }
}

public sealed class NotificationRouteTests
{
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly DateTimeOffset At = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static RouteSpec Spec(IReadOnlyList<LabelMatcher>? matchers = null, IReadOnlyList<AlertSeverity>? severities = null) =>
        new([Guid.NewGuid()], severities ?? [], matchers ?? [], ["cluster"], TimeSpan.Zero, TimeSpan.FromHours(4), true);

    [Fact]
    public void routes_match_by_severity_and_by_every_matcher_with_anchored_regular_expressions()
    {
        var spec = Spec([new LabelMatcher("team", "=~", "shop|checkout"), new LabelMatcher("env", "!=", "dev")], [AlertSeverity.Critical]);
        Assert.True(spec.Matches(AlertSeverity.Critical, new Dictionary<string, string> { ["team"] = "shop", ["env"] = "prod" }));
        Assert.False(spec.Matches(AlertSeverity.Warning, new Dictionary<string, string> { ["team"] = "shop" }));
        Assert.False(spec.Matches(AlertSeverity.Critical, new Dictionary<string, string> { ["team"] = "shopping" }));
        Assert.False(spec.Matches(AlertSeverity.Critical, new Dictionary<string, string> { ["team"] = "shop", ["env"] = "dev" }));
    }

    [Fact]
    public void a_matcher_that_is_not_a_regular_expression_is_refused_on_its_field()
    {
        var refused = NotificationRoute.Create(Guid.NewGuid(), null, null, "r", Spec([new LabelMatcher("team", "=~", "(")]), Admin, At).Refused();
        Assert.Equal("matchers[0].value", refused.Field);
    }
}

public sealed class NotificationGroupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly RouteSpec Route = new([Guid.NewGuid()], [], [], [], TimeSpan.FromSeconds(30), TimeSpan.FromHours(4), SendResolved: true);

    private static GroupedAlert Alert(string fingerprint, bool firing, DateTimeOffset at) =>
        new(Guid.NewGuid(), fingerprint, firing, "PodCrashLooping", AlertSeverity.Critical, null, "sim-1", null, new Dictionary<string, string>(), "down", at);

    [Fact]
    public void alerts_of_one_group_wait_for_the_group_wait_and_go_out_together()
    {
        var group = new NotificationGroup { Id = "g" };
        var due = group.Observe(Alert("a", true, T0), Route, T0);
        Assert.Equal(T0.AddSeconds(30), due);
        Assert.Null(group.Observe(Alert("b", true, T0.AddSeconds(5)), Route, T0.AddSeconds(5)));

        var (sent, next) = group.Flush(due!.Value, Route, due.Value);
        Assert.Equal(["a", "b"], sent!.Alerts.Select(a => a.Fingerprint));
        Assert.Equal(due.Value.AddHours(4), next);
    }

    [Fact]
    public void a_still_firing_group_is_sent_again_after_the_repeat_interval_and_a_stale_flush_does_nothing()
    {
        var group = new NotificationGroup { Id = "g" };
        var due = group.Observe(Alert("a", true, T0), Route, T0)!.Value;
        var (_, repeat) = group.Flush(due, Route, due);
        Assert.Equal((null, null), group.Flush(due, Route, due.AddMinutes(1))); // the first flush's time has passed

        var (again, next) = group.Flush(repeat!.Value, Route, repeat.Value);
        Assert.True(again!.Firing);
        Assert.Equal(repeat.Value.AddHours(4), next);
    }

    [Fact]
    public void a_resolution_is_sent_once_and_empties_the_group_and_one_nobody_heard_of_is_not_sent()
    {
        var group = new NotificationGroup { Id = "g" };
        var due = group.Observe(Alert("a", true, T0), Route, T0)!.Value;
        group.Flush(due, Route, due);
        var resolvedDue = group.Observe(Alert("a", false, T0.AddMinutes(5)), Route, T0.AddMinutes(5))!.Value;
        var (resolved, next) = group.Flush(resolvedDue, Route, resolvedDue);
        Assert.False(resolved!.Firing);
        Assert.Null(next);
        Assert.True(group.IsEmpty);

        var quiet = new NotificationGroup { Id = "q" };
        quiet.Observe(Alert("b", true, T0), Route, T0);
        Assert.Null(quiet.Observe(Alert("b", false, T0.AddSeconds(1)), Route, T0.AddSeconds(1)));
        Assert.Empty(quiet.Alerts);
    }
}
