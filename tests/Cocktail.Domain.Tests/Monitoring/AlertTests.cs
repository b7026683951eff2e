using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;

namespace Cocktail.Domain.Tests.Monitoring;

public sealed class AlertTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromMinutes(5);
    private static readonly ActorRef Ann = new(Guid.NewGuid(), "ann");
    private static readonly Dictionary<string, string> Labels = new() { ["namespace"] = "shop", ["pod"] = "checkout-1" };
    private static readonly string Fingerprint = Alert.FingerprintOf("rule-1", Labels);
    private static readonly AlertCondition Condition = new(Fingerprint, Guid.NewGuid(), "Pod crash-looping", AlertSeverity.Warning,
        Guid.NewGuid(), Guid.NewGuid(), null, Labels, "checkout-1 restarts", 4, AlertSource.Cocktail);

    private static AlertFired FiredAt(Guid id, DateTimeOffset at) => Assert.IsType<AlertFired>(Alert.FireFirst(id, Condition, at).Single());

    [Fact]
    public void the_fingerprint_is_the_same_whatever_the_order_of_the_labels_and_differs_by_rule()
    {
        var reordered = new Dictionary<string, string> { ["pod"] = "checkout-1", ["namespace"] = "shop" };

        Assert.Equal(Fingerprint, Alert.FingerprintOf("rule-1", reordered));
        Assert.NotEqual(Fingerprint, Alert.FingerprintOf("rule-2", Labels));
    }

    [Fact]
    public void Given_an_open_alert_When_the_condition_is_seen_again_Then_nothing_fires_twice()
    {
        var open = Given.Events<Alert>(FiredAt(Guid.NewGuid(), Now));

        var again = open.Fire(Guid.NewGuid(), Condition, Quiet, Now.AddMinutes(1));

        Assert.Empty(again.Events);
        Assert.Null(again.Error);
    }

    [Fact]
    public void Given_an_open_alert_When_it_resolves_Then_the_open_occurrence_resolves()
    {
        var id = Guid.NewGuid();
        var resolved = Assert.IsType<AlertResolved>(Given.Events<Alert>(FiredAt(id, Now)).Resolve(Now.AddMinutes(2)).Single());

        Assert.Equal(new AlertResolved(id, Fingerprint, "Pod crash-looping", Now.AddMinutes(2)), resolved);
        Assert.Empty(Given.Events<Alert>(FiredAt(id, Now), resolved).Resolve(Now.AddMinutes(3)).Events);
    }

    [Fact]
    public void Given_a_resolved_alert_When_it_comes_back_within_the_quiet_time_Then_it_waits_and_fires_once_the_quiet_time_passed()
    {
        var id = Guid.NewGuid();
        var resolved = Given.Events<Alert>(FiredAt(id, Now), new AlertResolved(id, Fingerprint, "Pod crash-looping", Now.AddMinutes(1)));

        Assert.Empty(resolved.Fire(Guid.NewGuid(), Condition, Quiet, Now.AddMinutes(3)).Events);
        var second = Guid.NewGuid();
        var fired = Assert.IsType<AlertFired>(resolved.Fire(second, Condition, Quiet, Now.AddMinutes(6)).Single());
        Assert.Equal(second, fired.AlertId);
        Assert.Equal(Fingerprint, fired.Fingerprint);
    }

    [Fact]
    public void Given_an_open_alert_When_someone_acknowledges_it_Then_who_and_the_note_are_recorded_once()
    {
        var id = Guid.NewGuid();
        var open = Given.Events<Alert>(FiredAt(id, Now));

        var ack = Assert.IsType<AlertAcknowledged>(open.Acknowledge(id, Ann, "  looking  ", Now.AddMinutes(1)).Single());

        Assert.Equal(new AlertAcknowledged(id, Fingerprint, "Pod crash-looping", Ann, "looking", Now.AddMinutes(1)), ack);
        var twice = Given.Events<Alert>(FiredAt(id, Now), ack).Acknowledge(id, Ann, null, Now.AddMinutes(2)).Refused();
        Assert.Equal(ErrorKind.Conflict, twice.Kind);
        Assert.Contains("ann has already acknowledged", twice.Message);
    }

    [Fact]
    public void Given_a_resolved_alert_When_someone_acknowledges_it_Then_it_is_refused_as_no_longer_firing()
    {
        var id = Guid.NewGuid();
        var resolved = Given.Events<Alert>(FiredAt(id, Now), new AlertResolved(id, Fingerprint, "Pod crash-looping", Now.AddMinutes(1)));

        Assert.Equal("The alert is no longer firing.", resolved.Acknowledge(id, Ann, null, Now.AddMinutes(2)).Refused().Message);
    }
}
