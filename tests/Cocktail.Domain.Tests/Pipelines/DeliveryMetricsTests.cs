using Cocktail.Domain.Pipelines;

namespace Cocktail.Domain.Tests.Pipelines;

public sealed class DeliveryMetricsTests
{
    static readonly DateTimeOffset From = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    static readonly Guid A = Guid.NewGuid();
    static readonly Guid B = Guid.NewGuid();

    static DateTimeOffset T(int day, int hour, int minute = 0) => From.AddDays(day).AddHours(hour).AddMinutes(minute);

    static DeliveryOutcome Ok(Guid pipeline, DateTimeOffset at, DateTimeOffset? committed = null, DateTimeOffset? queued = null) =>
        new(pipeline, Guid.NewGuid(), true, at, committed, queued);

    static DeliveryOutcome Failed(Guid pipeline, DateTimeOffset at) => new(pipeline, Guid.NewGuid(), false, at, null, null);

    /// <summary>Three days of two pipelines; every figure below is worked out by hand in the comments.</summary>
    static readonly DeliveryOutcome[] ThreeDays =
    [
        Ok(A, T(-1, 12), committed: T(-1, 11)),          // before the window: not counted
        Ok(A, T(0, 10), committed: T(0, 8)),             // lead 2 h = 7200 s
        Failed(A, T(0, 12)),                              // restored by A at day 1 09:00: 21 h = 75600 s
        Ok(B, T(0, 13), queued: T(0, 12, 30)),           // no commit time: from queueing, 30 min = 1800 s
        Ok(A, T(1, 9), committed: T(0, 21)),             // lead 12 h = 43200 s
        Failed(B, T(1, 10)),                              // restored by B at 11:00: 1 h = 3600 s
        Ok(B, T(1, 11), committed: T(1, 10, 30)),        // lead 1800 s
        Failed(A, T(2, 15)),                              // never followed by a success of A: open
        Ok(B, T(2, 16)),                                  // neither commit nor queue time: no lead time
    ];

    [Fact]
    public void the_four_keys_over_the_window_are_the_hand_computed_figures()
    {
        var report = DeliveryMetrics.Compute(ThreeDays, From, From.AddDays(3));

        Assert.Equal((3, 5, 3, 8), (report.Days, report.Deployments, report.Failures, report.Attempts));
        Assert.Equal(5.0 / 3, report.DeploymentsPerDay, 6);
        // Lead times 1800, 1800, 7200, 43200: median (1800 + 7200) / 2, p90 the 4th of 4 (nearest rank).
        Assert.Equal((4, 4500d, 43200d), (report.LeadTimeSamples, report.LeadTimeMedianSeconds, report.LeadTimeP90Seconds));
        Assert.Equal(3d / 8, report.ChangeFailureRate);
        // Restores 75600 and 3600; A's last failure is open, not a zero.
        Assert.Equal((2, 1, 39600d), (report.Restored, report.OpenFailures, report.TimeToRestoreMedianSeconds));
        Assert.False(report.Empty);
    }

    [Fact]
    public void each_day_has_its_own_deploys_failure_rate_lead_time_and_restore()
    {
        var daily = DeliveryMetrics.Compute(ThreeDays, From, From.AddDays(3)).Daily;

        Assert.Equal(
        [
            new DeliveryDay(new DateOnly(2026, 3, 1), T(0, 0), 2, 1, 1d / 3, 4500, 75600),
            new DeliveryDay(new DateOnly(2026, 3, 2), T(1, 0), 2, 1, 1d / 3, 22500, 3600),
            new DeliveryDay(new DateOnly(2026, 3, 3), T(2, 0), 1, 1, 0.5, null, null),
        ], daily);
    }

    [Fact]
    public void a_window_without_production_deploys_is_empty_with_no_figure_made_up()
    {
        var report = DeliveryMetrics.Compute([Ok(A, T(-3, 1))], From, From.AddDays(7));

        Assert.True(report.Empty);
        Assert.Equal((0, 0d, 0), (report.Deployments, report.DeploymentsPerDay, report.LeadTimeSamples));
        Assert.Null(report.LeadTimeMedianSeconds);
        Assert.Null(report.LeadTimeP90Seconds);
        Assert.Null(report.ChangeFailureRate);
        Assert.Null(report.TimeToRestoreMedianSeconds);
        Assert.Equal(7, report.Daily.Count);
        Assert.All(report.Daily, d => Assert.Equal((0, 0, (double?)null), (d.Deployments, d.Failures, d.ChangeFailureRate)));
    }

    [Fact]
    public void a_failure_is_restored_only_by_a_later_success_of_the_same_pipeline_even_after_the_window()
    {
        DeliveryOutcome[] outcomes = [Failed(A, T(0, 10)), Ok(B, T(0, 11)), Ok(A, T(1, 4))];

        var report = DeliveryMetrics.Compute(outcomes, From, From.AddDays(1));

        // B's success does not restore A; A's next success (18 h later, outside the one-day window) does.
        Assert.Equal((1, 0, 18 * 3600d), (report.Restored, report.OpenFailures, report.TimeToRestoreMedianSeconds));
        Assert.Equal((1, 1, 0.5), (report.Deployments, report.Failures, report.ChangeFailureRate));
    }

    [Fact]
    public void consecutive_failures_each_count_until_the_next_success()
    {
        DeliveryOutcome[] outcomes = [Failed(A, T(0, 1)), Failed(A, T(0, 2)), Ok(A, T(0, 5))];

        var report = DeliveryMetrics.Compute(outcomes, From, From.AddDays(1));

        // 4 h and 3 h: the median of two is their mean.
        Assert.Equal((2, 3.5 * 3600), (report.Restored, report.TimeToRestoreMedianSeconds!.Value));
        Assert.Equal(2d / 3, report.ChangeFailureRate!.Value, 6);
    }

    [Fact]
    public void a_commit_stamped_after_its_deploy_has_a_lead_time_of_zero_and_the_commit_time_wins_over_queueing()
    {
        Assert.Equal(0d, DeliveryMetrics.LeadTime(Ok(A, T(0, 10), committed: T(0, 11))));
        Assert.Equal(3600d, DeliveryMetrics.LeadTime(Ok(A, T(0, 10), committed: T(0, 9), queued: T(0, 9, 30))));
        Assert.Null(DeliveryMetrics.LeadTime(Ok(A, T(0, 10))));
    }

    [Fact]
    public void p90_is_the_nearest_rank_and_the_median_of_an_odd_count_is_the_middle()
    {
        double[] ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
        Assert.Equal(9d, DeliveryMetrics.Percentile(ten, 0.9));
        Assert.Equal(5.5, DeliveryMetrics.Median(ten));
        Assert.Equal(2d, DeliveryMetrics.Median([3, 1, 2]));
        Assert.Equal(7d, DeliveryMetrics.Percentile([7], 0.9));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(366)]
    public void a_window_of_no_days_or_more_than_a_year_is_refused(int days) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryMetrics.Compute([], From, From.AddDays(days)));

    [Fact]
    public void a_window_that_is_not_whole_days_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryMetrics.Compute([], From, From.AddHours(36)));
}
