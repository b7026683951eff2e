using Cocktail.Domain.Provisioning;

namespace Cocktail.Domain.Tests.Provisioning;

public sealed class ClusterBlueprintTests
{
    public static ClusterBlueprint Valid() => new(
        "prod", "default", Infrastructure.OpenStack, "v1.33.2", new ControlPlaneSpec(3, "m1.large"),
        [new NodePoolSpec("workers", "m1.xlarge", 3, 2, 5), new NodePoolSpec("gpu", "g1.gpu", 1, GpusPerNode: 1)],
        NetworkSpec.Default,
        new Dictionary<string, string> { ["cloudName"] = "openstack", ["identitySecret"] = "cloud", ["image"] = "ubuntu" });

    private static IEnumerable<string?> Fields(ClusterBlueprint b) => b.Check().Select(e => e.Field);

    [Fact]
    public void Given_a_complete_blueprint_When_checked_Then_there_is_nothing_to_fix() => Assert.Empty(Valid().Check());

    [Theory]
    [InlineData("Prod")]
    [InlineData("prod_1")]
    [InlineData("-prod")]
    [InlineData("")]
    public void Given_a_name_that_is_not_a_dns_label_When_checked_Then_the_name_is_marked(string name) =>
        Assert.Equal(["name"], Fields(Valid() with { Name = name }));

    [Theory]
    [InlineData("1.33")]
    [InlineData("v2.0.0")]
    [InlineData("latest")]
    [InlineData("v1.33.2-rc.0")]
    public void Given_a_version_that_is_not_a_release_When_checked_Then_the_version_is_marked(string version) =>
        Assert.Equal(["kubernetesVersion"], Fields(Valid() with { KubernetesVersion = version }));

    [Fact]
    public void Given_a_version_without_its_v_When_checked_Then_it_is_accepted() =>
        Assert.Empty((Valid() with { KubernetesVersion = "1.33.2" }).Check());

    [Fact]
    public void Given_a_service_range_inside_the_pod_range_When_checked_Then_the_overlap_is_marked_on_the_service_range()
    {
        var error = Assert.Single((Valid() with { Network = new NetworkSpec(["10.0.0.0/8"], ["10.96.0.0/12"]) }).Check());

        Assert.Equal("network.serviceCidrs[0]", error.Field);
        Assert.Contains("overlaps 10.0.0.0/8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_cidr_with_host_bits_When_checked_Then_it_says_which_network_was_meant()
    {
        var error = Assert.Single((Valid() with { Network = new NetworkSpec(["192.168.1.0/16"], ["10.96.0.0/12"]) }).Check());

        Assert.Equal("network.podCidrs[0]", error.Field);
        Assert.Contains("192.168.0.0/16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_pool_whose_minimum_is_above_its_maximum_When_checked_Then_the_minimum_is_marked() =>
        Assert.Equal(["nodePools[0].minSize"], Fields(Valid() with { NodePools = [new NodePoolSpec("workers", "m1", 3, 6, 5)] }));

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Given_replicas_outside_the_autoscaler_bounds_When_checked_Then_the_replicas_are_marked(int replicas) =>
        Assert.Equal(["nodePools[0].replicas"], Fields(Valid() with { NodePools = [new NodePoolSpec("workers", "m1", replicas, 2, 5)] }));

    [Fact]
    public void Given_only_a_minimum_When_checked_Then_the_missing_maximum_is_marked() =>
        Assert.Equal(["nodePools[0].maxSize"], Fields(Valid() with { NodePools = [new NodePoolSpec("workers", "m1", 3, 2)] }));

    [Fact]
    public void Given_an_even_kubeadm_control_plane_When_checked_Then_the_replicas_are_marked() =>
        Assert.Equal(["controlPlane.replicas"], Fields(Valid() with { ControlPlane = new ControlPlaneSpec(2, "m1.large") }));

    [Fact]
    public void Given_a_missing_provider_setting_When_checked_Then_that_setting_is_marked()
    {
        var settings = new Dictionary<string, string>(Valid().Settings);
        settings.Remove("image");

        var error = Assert.Single((Valid() with { Settings = settings }).Check());

        Assert.Equal("settings.image", error.Field);
        Assert.Contains("required for OpenStack", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Given_a_setting_the_provider_does_not_have_When_checked_Then_it_is_marked() =>
        Assert.Equal(["settings.region"], Fields(Valid() with { Settings = new Dictionary<string, string>(Valid().Settings) { ["region"] = "eu" } }));

    [Fact]
    public void Given_two_pools_with_one_name_When_checked_Then_the_second_is_marked() =>
        Assert.Equal(["nodePools[1].name"], Fields(Valid() with { NodePools = [new NodePoolSpec("workers", "m1", 1), new NodePoolSpec("workers", "m2", 1)] }));

    [Fact]
    public void Given_a_taint_with_an_unknown_effect_When_checked_Then_the_taint_is_marked() =>
        Assert.Equal(["nodePools[0].taints[0]"], Fields(Valid() with { NodePools = [new NodePoolSpec("workers", "m1", 1, Taints: [new NodeTaint("gpu", null, "NoWay")])] }));

    [Fact]
    public void Given_a_managed_cluster_without_pools_When_checked_Then_it_needs_one()
    {
        var eks = Valid() with
        {
            Infrastructure = Infrastructure.Eks, ControlPlane = new ControlPlaneSpec(1), NodePools = [],
            Settings = new Dictionary<string, string> { ["region"] = "eu-central-1" },
        };

        Assert.Equal(["nodePools"], Fields(eks));
    }

    [Fact]
    public void Given_a_topology_cluster_When_checked_Then_provider_settings_are_the_class_business() =>
        Assert.Empty((Valid() with { ClusterClass = "openstack-default", Settings = new Dictionary<string, string>(), ControlPlane = new ControlPlaneSpec(3) }).Check());

    [Fact]
    public void Given_many_problems_When_checked_Then_every_one_is_reported_at_once() =>
        Assert.Equal(["name", "kubernetesVersion", "settings.cloudName", "settings.identitySecret", "settings.image"],
            Fields(Valid() with { Name = "Bad", KubernetesVersion = "x", Settings = new Dictionary<string, string>() }));
}
