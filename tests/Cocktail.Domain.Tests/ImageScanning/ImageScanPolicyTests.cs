using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;

namespace Cocktail.Domain.Tests.ImageScanning;

public sealed class ImageScanPolicyTests
{
    [Fact]
    public void the_effective_policy_takes_the_stricter_of_each_rule()
    {
        var workspace = new ImageScanPolicy(BlockCritical: true, MaxHigh: 5, OnlyWithFix: true, RequireScan: false, MaxScanAgeDays: 7);
        var serviceMap = new ImageScanPolicy(BlockCritical: false, MaxHigh: 0, OnlyWithFix: false, RequireScan: true, MaxScanAgeDays: null);

        Assert.Equal(new ImageScanPolicy(BlockCritical: true, MaxHigh: 0, OnlyWithFix: false, RequireScan: true, MaxScanAgeDays: 7),
            ImageScanPolicy.Effective(workspace, serviceMap));
    }

    [Fact]
    public void counting_only_fixable_vulnerabilities_holds_in_a_service_map_only_when_both_ask_for_it()
    {
        var fixable = ImageScanPolicy.None with { OnlyWithFix = true };
        Assert.True(ImageScanPolicy.Effective(fixable, fixable).OnlyWithFix);
        Assert.False(ImageScanPolicy.Effective(ImageScanPolicy.None, fixable).OnlyWithFix);
    }

    [Fact]
    public void a_service_map_that_tightens_loosens_nothing()
    {
        var workspace = new ImageScanPolicy(BlockCritical: true, MaxHigh: 3, OnlyWithFix: true, RequireScan: true, MaxScanAgeDays: 7);
        var tighter = new ImageScanPolicy(BlockCritical: true, MaxHigh: 0, OnlyWithFix: false, RequireScan: true, MaxScanAgeDays: 1);

        Assert.Empty(ImageScanPolicy.Loosening(workspace, tighter));
    }

    [Fact]
    public void a_service_map_that_loosens_is_told_which_fields_and_why()
    {
        var workspace = new ImageScanPolicy(BlockCritical: true, MaxHigh: 3, OnlyWithFix: false, RequireScan: true, MaxScanAgeDays: 7);
        var looser = new ImageScanPolicy(BlockCritical: false, MaxHigh: null, OnlyWithFix: true, RequireScan: false, MaxScanAgeDays: 8);

        var loosening = ImageScanPolicy.Loosening(workspace, looser);

        Assert.Equal(["blockCritical", "maxHigh", "onlyWithFix", "requireScan", "maxScanAgeDays"], loosening.Select(l => l.Field));
        Assert.Contains(loosening, l => l.Message == "The workspace allows at most 3 high vulnerabilities.");
    }

    [Fact]
    public void a_maximum_scan_age_requires_a_scan()
    {
        Assert.True((ImageScanPolicy.None with { MaxScanAgeDays = 7 }).ScanRequired);
        Assert.False(ImageScanPolicy.None.ScanRequired);
    }

    [Fact]
    public void a_negative_high_count_or_a_scan_age_outside_a_day_to_ten_years_is_refused()
    {
        Assert.Equal("maxHigh", ImageScanPolicy.Check(new ImageScanPolicy(MaxHigh: -1))!.Field);
        Assert.Equal("maxScanAgeDays", ImageScanPolicy.Check(new ImageScanPolicy(MaxScanAgeDays: 0))!.Field);
        Assert.Equal(ErrorKind.Invalid, ImageScanPolicy.Check(new ImageScanPolicy(MaxScanAgeDays: 3651))!.Kind);
        Assert.Null(ImageScanPolicy.Check(new ImageScanPolicy(MaxHigh: 0, MaxScanAgeDays: 1)));
    }
}
