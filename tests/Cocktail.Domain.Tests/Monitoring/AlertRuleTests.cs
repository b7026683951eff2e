using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring;

namespace Cocktail.Domain.Tests.Monitoring;

public sealed class AlertRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Ann = new(Guid.NewGuid(), "ann");
    private static readonly Guid Team = Guid.NewGuid();

    private static AlertRuleDefinition Custom(string expression = "rate(http_requests_total[5m]) > 1") =>
        new("High traffic", null, expression, TimeSpan.FromMinutes(1), AlertSeverity.Warning,
            new Dictionary<string, string> { ["team"] = "shop" }, "{{ $labels.pod }} at {{ $value }}", null, true);

    [Fact]
    public void Given_no_rule_When_a_custom_rule_is_saved_Then_the_event_carries_it_whole_with_no_before()
    {
        var id = Guid.NewGuid();
        var saved = Assert.IsType<AlertRuleSaved>(AlertRule.Save(id, Team, Custom(), Ann, Now).Single());

        Assert.Null(saved.Before);
        Assert.True(saved.After.SameAs(Custom()));
        Assert.Equal((id, (Guid?)Team, Ann, Now), (saved.RuleId, saved.WorkspaceId, saved.By, saved.At));
    }

    [Fact]
    public void Given_a_rule_When_it_is_changed_Then_the_event_has_the_whole_before_and_after_and_an_unchanged_save_records_nothing()
    {
        var id = Guid.NewGuid();
        var rule = Given.Events<AlertRule>(AlertRule.Save(id, Team, Custom(), Ann, Now).Single());
        var after = Custom() with { Severity = AlertSeverity.Critical, Enabled = false };

        var changed = Assert.IsType<AlertRuleSaved>(rule.Change(after, Ann, Now.AddMinutes(1)).Single());

        Assert.True(changed.Before!.SameAs(Custom()));
        Assert.True(changed.After.SameAs(after));
        Assert.Empty(rule.Change(Custom(), Ann, Now).Events);
    }

    [Fact]
    public void a_custom_rule_needs_an_expression_and_a_for_within_a_day()
    {
        Assert.Equal("expression", AlertRule.Save(Guid.NewGuid(), Team, Custom(" "), Ann, Now).Refused().Field);
        Assert.Equal("for", AlertRule.Save(Guid.NewGuid(), Team, Custom() with { For = TimeSpan.FromDays(2) }, Ann, Now).Refused().Field);
        Assert.Equal("labels", AlertRule.Save(Guid.NewGuid(), Team, Custom() with { Labels = new Dictionary<string, string> { ["1x"] = "a" } }, Ann, Now).Refused().Field);
    }

    [Fact]
    public void Given_a_built_in_When_a_workspace_tunes_it_for_the_first_time_Then_the_defaults_are_the_before()
    {
        var id = AlertRule.BuiltInId(BuiltInRule.QuotaNearlyUsed, Team);
        var tuned = BuiltInRules.Default(BuiltInRule.QuotaNearlyUsed, Team) with { Threshold = 80 };

        var saved = Assert.IsType<AlertRuleSaved>(AlertRule.Save(id, Team, tuned, Ann, Now).Single());

        Assert.Equal(90, saved.Before!.Threshold);
        Assert.Equal(80, saved.After.Threshold);
        Assert.NotEqual(id, AlertRule.BuiltInId(BuiltInRule.QuotaNearlyUsed, Guid.NewGuid()));
    }

    [Fact]
    public void built_ins_are_disabled_not_deleted_and_keep_their_thresholds_in_range()
    {
        var id = AlertRule.BuiltInId(BuiltInRule.PvcNearlyFull, Team);
        var pvc = BuiltInRules.Default(BuiltInRule.PvcNearlyFull, Team);
        var rule = Given.Events<AlertRule>(AlertRule.Save(id, Team, pvc with { Enabled = false }, Ann, Now).Single());

        Assert.Equal(ErrorKind.Invalid, rule.Delete(Ann, Now).Refused().Kind);
        Assert.Equal("threshold", rule.Change(pvc with { Threshold = 120 }, Ann, Now).Refused().Field);
        Assert.Equal("builtIn", AlertRule.Save(Guid.NewGuid(), Team, BuiltInRules.Default(BuiltInRule.NodeNotReady, null), Ann, Now).Refused().Field);
    }

    [Fact]
    public void Given_a_custom_rule_When_it_is_deleted_Then_the_event_keeps_what_it_was()
    {
        var rule = Given.Events<AlertRule>(AlertRule.Save(Guid.NewGuid(), Team, Custom(), Ann, Now).Single());

        var deleted = Assert.IsType<AlertRuleDeleted>(rule.Delete(Ann, Now).Single());

        Assert.True(deleted.Before.SameAs(Custom()));
    }
}
