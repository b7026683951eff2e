using Cocktail.Domain.Provisioning;

namespace Cocktail.Domain.Tests.Provisioning;

public sealed class KubernetesVersionTests
{
    private static KubernetesVersion V(string text) => KubernetesVersion.TryParse(text, out var v) ? v : throw new ArgumentException(text);

    [Theory]
    [InlineData("v1.33.2", "v1.33.5")]
    [InlineData("v1.33.2", "v1.34.0")]
    [InlineData("1.33.2", "v1.34.3")]
    public void Given_a_cluster_When_upgraded_by_a_patch_or_the_next_minor_Then_it_is_allowed(string from, string to) =>
        Assert.Null(KubernetesVersion.CheckUpgrade(V(from), V(to)));

    [Fact]
    public void Given_a_cluster_When_upgraded_two_minors_at_once_Then_it_is_refused_with_the_next_minor_to_go_to()
    {
        var error = KubernetesVersion.CheckUpgrade(V("v1.32.4"), V("v1.34.0"));

        Assert.NotNull(error);
        Assert.Equal("version", error.Field);
        Assert.Contains("first to v1.33", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_cluster_When_downgraded_Then_it_is_refused() =>
        Assert.Contains("cannot be downgraded", KubernetesVersion.CheckUpgrade(V("v1.33.2"), V("v1.33.1"))!.Message, StringComparison.Ordinal);

    [Fact]
    public void Given_a_cluster_When_upgraded_to_its_own_version_Then_it_is_refused() =>
        Assert.Contains("already runs v1.33.2", KubernetesVersion.CheckUpgrade(V("v1.33.2"), V("1.33.2"))!.Message, StringComparison.Ordinal);

    [Fact]
    public void versions_compare_by_minor_before_patch() => Assert.True(V("v1.9.10") < V("v1.10.0"));
}
