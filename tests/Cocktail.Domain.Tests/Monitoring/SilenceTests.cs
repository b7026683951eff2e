using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;

namespace Cocktail.Domain.Tests.Monitoring;

public sealed class SilenceTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Ann = new(Guid.NewGuid(), "ann");
    private static readonly Guid Team = Guid.NewGuid();

    [Fact]
    public void a_silence_needs_a_matcher_a_future_end_a_valid_regex_and_a_reason()
    {
        var id = Guid.NewGuid();
        Assert.Equal("matchers", Silence.Start(id, Team, [], Now.AddHours(1), Ann, "deploy", Now).Refused().Field);
        Assert.Equal("until", Silence.Start(id, Team, [new("pod", "=", "a")], Now, Ann, "deploy", Now).Refused().Field);
        Assert.Equal("matchers", Silence.Start(id, Team, [new("pod", "=~", "(")], Now.AddHours(1), Ann, "deploy", Now).Refused().Field);
        Assert.Equal("reason", Silence.Start(id, Team, [new("pod", "=", "a")], Now.AddHours(1), Ann, " ", Now).Refused().Field);
    }

    [Fact]
    public void Given_a_silence_Then_it_covers_matching_alerts_of_its_own_workspace_until_it_ends()
    {
        var silenced = Assert.IsType<AlertSilenced>(Silence.Start(Guid.NewGuid(), Team,
            [new("namespace", "=", "shop"), new("pod", "=~", "checkout-.*"), new("severity", "!=", "critical")], Now.AddHours(1), Ann, "deploy", Now).Single());
        var silence = Given.Events<Silence>(silenced);
        var labels = new Dictionary<string, string> { ["namespace"] = "shop", ["pod"] = "checkout-1", ["severity"] = "warning" };

        Assert.True(silence.Covers(Team, labels, Now.AddMinutes(30)));
        Assert.False(silence.Covers(Guid.NewGuid(), labels, Now.AddMinutes(30)));
        Assert.False(silence.Covers(Team, new Dictionary<string, string>(labels) { ["pod"] = "web-checkout-1" }, Now.AddMinutes(30)));
        Assert.False(silence.Covers(Team, labels, Now.AddHours(1)));
    }

    [Fact]
    public void Given_a_silence_past_its_end_When_the_sweep_runs_Then_it_expires_once()
    {
        var silenced = new AlertSilenced(Guid.NewGuid(), Team, [new("pod", "=", "a")], Now.AddHours(1), Ann, "deploy", Now);
        var silence = Given.Events<Silence>(silenced);

        Assert.Empty(silence.Expire(Now.AddMinutes(59)).Events);
        var expired = Assert.IsType<SilenceExpired>(silence.Expire(Now.AddHours(1)).Single());
        Assert.Empty(Given.Events<Silence>(silenced, expired).Expire(Now.AddHours(2)).Events);
    }
}
