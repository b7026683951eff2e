using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Tests.Tenancy;

public sealed class QuotaTests
{
    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("1.5", 1.5)]
    [InlineData("2", 2)]
    [InlineData("2Gi", 2147483648)]
    [InlineData("512Mi", 536870912)]
    [InlineData("1G", 1000000000)]
    [InlineData("1e3", 1000)]
    [InlineData("100k", 100000)]
    [InlineData(".5", 0.5)]
    public void kubernetes_quantities_parse_to_exact_base_units(string text, double expected) =>
        Assert.Equal((decimal)expected, Quantity.Parse(text).Value);

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1.5.2")]
    [InlineData("2GB")]
    [InlineData("1e99")]
    public void text_that_is_not_a_quantity_is_refused(string text) => Assert.False(Quantity.TryParse(text, out _));

    [Fact]
    public void sums_are_exact_across_units()
    {
        var total = Quota.Sum([new Quota(Cpu: "500m", Memory: "1536Mi"), new Quota(Cpu: "1.5", Memory: "512Mi"), new Quota(Cpu: "0.25")]);

        Assert.Equal(2.25m, total["cpu"].Value);
        Assert.Equal(2m * 1024 * 1024 * 1024, total["memory"].Value);
        Assert.Equal("2Gi", QuotaTotals.Format("memory", total["memory"]));
        Assert.Equal("2250m", QuotaTotals.Format("cpu", total["cpu"]));
    }

    [Fact]
    public void exceeding_says_which_resources_and_by_how_much()
    {
        var total = Quota.Sum([new Quota("3", "10Gi", "2", "100Gi", "50")]);
        var limit = new Quota("4", "8Gi", "1", "100Gi", "40");

        var excess = total.Exceeding(limit);

        Assert.Equal("memory by 2Gi, gpu by 1, pods by 10", QuotaTotals.Describe(excess));
    }

    [Fact]
    public void a_missing_resource_counts_as_zero() =>
        Assert.Equal("gpu by 1", QuotaTotals.Describe(Quota.Sum([new Quota(Gpu: "1")]).Exceeding(new Quota(Cpu: "8"))));

    [Fact]
    public void invalid_or_negative_resources_are_named()
    {
        Assert.Equal(["cpu", "storage"], new Quota(Cpu: "lots", Memory: "1Gi", Storage: "-5Gi").InvalidResources());
        Assert.Empty(new Quota("1", "1Gi", "0", "10Gi", "10").InvalidResources());
    }
}
