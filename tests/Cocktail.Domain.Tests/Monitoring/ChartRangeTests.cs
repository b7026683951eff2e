using Cocktail.Domain.Common;
using Cocktail.Domain.Monitoring.Charts;
using Xunit;

namespace Cocktail.Domain.Tests.Monitoring;

public sealed class ChartRangeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("1h", 3600)]
    [InlineData("6h", 21600)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    public void A_named_range_ends_now_and_keeps_at_most_300_points(string name, int seconds)
    {
        var now = Now.AddSeconds(7.5);
        var (range, error) = ChartRange.Resolve(name, null, null, now);

        Assert.Null(error);
        Assert.InRange(now - range!.End, TimeSpan.Zero, range.Step - TimeSpan.FromTicks(1));
        Assert.Equal(range.End.AddSeconds(-seconds), range.Start);
        Assert.InRange(range.Points, 2, ChartRange.MaxPoints + 1);
        Assert.True(range.RateWindow >= range.Step);
        Assert.Equal(0, 86400 % (long)range.Step.TotalSeconds);
        Assert.Equal(0, range.Start.ToUnixTimeSeconds() % (long)range.Step.TotalSeconds);
    }

    [Fact]
    public void Seven_days_step_by_forty_minutes_on_multiples_of_it()
    {
        var (range, _) = ChartRange.Resolve("7d", null, null, Now.AddMinutes(25));

        Assert.Equal(TimeSpan.FromMinutes(40), range!.Step);
        Assert.Equal(Now, range.End);
        Assert.Equal(253, range.Points);
    }

    [Fact]
    public void A_range_cut_at_midnights_has_the_same_points_a_day_at_a_time()
    {
        var (range, _) = ChartRange.Resolve("7d", null, null, Now);

        var days = range!.Days().ToList();

        Assert.Equal(8, days.Count);
        Assert.Equal(range.Start, days[0].Start);
        Assert.Equal(range.End, days[^1].End);
        Assert.All(days, d => Assert.Equal(d.Start.UtcDateTime.Date, d.End.UtcDateTime.Date));
        Assert.Equal(range.Points, days.Sum(d => d.Points));
        Assert.All(days.Zip(days.Skip(1)), p => Assert.Equal(p.First.End + range.Step, p.Second.Start));
    }

    [Fact]
    public void No_range_is_the_last_hour()
    {
        var (range, error) = ChartRange.Resolve(null, null, null, Now);

        Assert.Null(error);
        Assert.Equal(TimeSpan.FromHours(1), range!.End - range.Start);
    }

    [Fact]
    public void A_short_custom_range_steps_by_five_seconds_at_least()
    {
        var (range, error) = ChartRange.Resolve(null, Now.AddMinutes(-2), Now, Now);

        Assert.Null(error);
        Assert.Equal(ChartRange.MinStep, range!.Step);
        Assert.Equal(25, range.Points);
    }

    [Theory]
    [InlineData("2h", null, null, "range")]
    [InlineData("1h", -60, 0, "range")]
    [InlineData(null, -60, null, "end")]
    [InlineData(null, null, 0, "start")]
    [InlineData(null, 0, -60, "end")]
    [InlineData(null, -60 * 24 * 40, 0, "start")]
    [InlineData(null, -60, 60, "end")]
    public void A_bad_range_is_refused_by_field(string? name, int? startMinutes, int? endMinutes, string field)
    {
        var (range, error) = ChartRange.Resolve(name, startMinutes is { } s ? Now.AddMinutes(s) : null, endMinutes is { } e ? Now.AddMinutes(e) : null, Now);

        Assert.Null(range);
        Assert.Equal(ErrorKind.Invalid, error!.Kind);
        Assert.Equal(field, error.Field);
    }
}
