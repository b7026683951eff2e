using System.Text.RegularExpressions;
using Cocktail.Domain.Monitoring.Charts;
using Xunit;

namespace Cocktail.Domain.Tests.Monitoring;

public sealed partial class ChartCatalogTests
{
    private static readonly ChartRange Hour = ChartRange.Of(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1));

    public static TheoryData<string> Charts() => new(ChartCatalog.Names);

    [Fact]
    public void Every_chart_the_issue_names_is_there()
    {
        Assert.Equal(["cpu", "memory", "gpu-utilisation", "gpu-memory", "network-in", "network-out", "filesystem", "restarts"], ChartCatalog.Names);
    }

    [Theory]
    [MemberData(nameof(Charts))]
    public void Every_selector_of_a_workspace_chart_carries_the_namespace_matcher(string chart)
    {
        var promql = ChartCatalog.Find(chart)!.Query(ChartTarget.Workspace(["shop-checkout", "shop-web"]), Hour);

        var selectors = Selectors().Matches(promql);
        Assert.NotEmpty(selectors);
        Assert.All(selectors, s => Assert.Contains("namespace=~\"shop-checkout|shop-web\"", s.Value));
    }

    [Theory]
    [MemberData(nameof(Charts))]
    public void Every_selector_of_a_node_chart_for_a_member_carries_the_namespace_matcher(string chart)
    {
        var promql = ChartCatalog.Find(chart)!.Query(ChartTarget.OfNode("worker-1", ["shop-web"]), Hour);

        var selectors = Selectors().Matches(promql);
        Assert.Contains(selectors, s => s.Value.StartsWith("kube_pod_info{node=\"worker-1\"", StringComparison.Ordinal));
        Assert.All(selectors, s => Assert.Contains("namespace=~\"shop-web\"", s.Value));
    }

    [Fact]
    public void A_workload_chart_takes_its_own_pods_and_not_those_of_a_longer_name()
    {
        var target = ChartTarget.Workload("shop-web", "Deployment", "web");
        var pods = new Regex($"^(?:{target.PodPattern})$");

        Assert.Matches(pods, "web-7d9f8b6c5-x2k4q");
        Assert.DoesNotMatch(pods, "web-api-7d9f8b6c5-x2k4q");
        Assert.DoesNotMatch(pods, "web-x2k4q");
        Assert.Contains("pod=~\"web-[a-z0-9]+-[a-z0-9]{5}\"", ChartCatalog.Find("cpu")!.Query(target, Hour));
    }

    [Fact]
    public void A_dot_in_a_workload_name_matches_a_dot_only()
    {
        var target = ChartTarget.Workload("shop-web", "StatefulSet", "db.main");

        Assert.Equal(@"db\.main-[0-9]+", target.PodPattern);
        Assert.Contains(@"pod=~""db\\.main-[0-9]+""", ChartCatalog.Find("memory")!.Query(target, Hour));
    }

    [Fact]
    public void A_whole_cluster_chart_has_no_namespace_matcher_and_groups_by_namespace()
    {
        var promql = ChartCatalog.Find("cpu")!.Query(ChartTarget.Cluster(null), Hour);

        Assert.Equal("sum by (namespace) (rate(container_cpu_usage_seconds_total{container!=\"\",pod!=\"\"}[60s]))", promql);
    }

    [Fact]
    public void A_name_that_is_not_a_Kubernetes_name_never_reaches_a_query()
    {
        Assert.Throws<ArgumentException>(() => ChartTarget.ServiceMap("shop\"} or vector(1) #"));
        Assert.Throws<ArgumentException>(() => ChartTarget.OfNode("a\"b", null));
    }

    [Fact]
    public void A_member_who_sees_no_namespace_sees_nothing()
    {
        Assert.True(ChartTarget.Cluster([]).SeesNothing);
        Assert.False(ChartTarget.Cluster(null).SeesNothing);
    }

    /// <summary>Every vector selector: a metric name and its braces.</summary>
    [GeneratedRegex(@"[A-Za-z_:][A-Za-z0-9_:]*\{[^}]*\}")]
    private static partial Regex Selectors();
}
