using Cocktail.Application.AccessGrants;
using Cocktail.Domain.Access;
using Cocktail.Web.Components.Pages.Access;

namespace Cocktail.Integration.Tests.Access;

/// <summary>
/// When a grant counts as "ending soon" (the grantee's warning, the console's flag): a day before its end, or in its
/// last fifth when that is shorter, so a fresh short grant is never flagged. No host: the rule alone.
/// </summary>
public sealed class GrantEndingSoonTests
{
    private static readonly DateTimeOffset From = new(2026, 5, 4, 9, 0, 0, TimeSpan.Zero);
    private readonly AccessOptions _options = new() { ExpiryWarning = TimeSpan.FromDays(1) };

    [Fact]
    public void a_week_long_grant_is_ending_soon_from_one_day_before_its_end()
    {
        var until = From.AddDays(7);
        Assert.Equal(until.AddDays(-1), _options.WarnAt(From, until));
        Assert.False(_options.EndsSoon(From, until, until.AddDays(-1).AddMinutes(-1)));
        Assert.True(_options.EndsSoon(From, until, until.AddDays(-1)));
        Assert.True(_options.EndsSoon(From, until, until.AddMinutes(-1)));
    }

    [Fact]
    public void an_8_hour_grant_is_ending_soon_only_in_its_last_fifth_and_never_when_just_made()
    {
        var until = From.AddHours(8);
        Assert.Equal(until - TimeSpan.FromMinutes(96), _options.WarnAt(From, until));
        Assert.False(_options.EndsSoon(From, until, From));
        Assert.False(_options.EndsSoon(From, until, From.AddHours(6)));
        Assert.True(_options.EndsSoon(From, until, From.AddHours(6.5)));
    }

    [Fact]
    public void a_grant_that_has_ended_is_not_ending_soon()
    {
        var until = From.AddDays(2);
        Assert.False(_options.EndsSoon(From, until, until));
        Assert.False(_options.EndsSoon(From, until, until.AddHours(1)));
    }

    [Fact]
    public void a_five_day_grant_is_warned_exactly_one_day_before_where_the_two_rules_meet()
    {
        var until = From.AddDays(5);
        Assert.Equal(until.AddDays(-1), _options.WarnAt(From, until));
    }

    [Theory]
    [InlineData(GrantState.Active, true)]
    [InlineData(GrantState.Activating, true)]
    [InlineData(GrantState.Scheduled, true)]
    [InlineData(GrantState.Revoked, false)]
    [InlineData(GrantState.Expired, false)]
    public void the_console_flags_only_open_grants_in_their_warning_window(GrantState state, bool flagged)
    {
        var until = From.AddHours(10);
        var item = new AccessGrantItem(new AccessGrantView { ValidFrom = From, ValidUntil = until }, state);
        Assert.Equal(flagged, AccessFormat.EndsSoon(item, _options, until.AddMinutes(-30)));
        Assert.False(AccessFormat.EndsSoon(item, _options, From.AddMinutes(1)));
    }
}
