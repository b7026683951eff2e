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
        var (range, error) = ChartRange.Resolve(name, null, null, Now);

        Assert.Null(error);
        Assert.Equal(Now, range!.End);
        Assert.Equal(Now.AddSeconds(-seconds), range.Start);
        Assert.InRange(range.Points, 2, ChartRange.MaxPoints);
        Assert.True(range.RateWindow >= range.Step);
    }

    [Fact]
    public void Seven_days_step_by_whole_seconds_of_about_half_an_hour()
    {
        var (range, _) = ChartRange.Resolve("7d", null, null, Now);

        Assert.Equal(TimeSpan.FromSeconds(2023), range!.Step);
        Assert.Equal(299, range.Points);
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
