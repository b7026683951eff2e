using Cocktail.Domain.Monitoring.PromQl;

namespace Cocktail.Domain.Tests.Monitoring;

public sealed class PromQlConfinementTests
{
    private static readonly string[] Shop = ["team-a-shop"];
    private static readonly string[] ShopAndPay = ["team-a-shop", "team-a-pay"];

    private static string Confined(string query, IReadOnlyCollection<string>? namespaces = null)
    {
        var result = PromQlConfinement.Confine(query, namespaces ?? Shop);
        Assert.True(result.Succeeded, result.Error);
        return result.Query!;
    }

    [Fact]
    public void a_bare_metric_gets_the_namespace_matcher()
    {
        Assert.Equal("up{namespace=\"team-a-shop\"}", Confined("up"));
    }

    [Fact]
    public void several_namespaces_become_one_sorted_alternation()
    {
        Assert.Equal("up{namespace=~\"team-a-pay|team-a-shop\"}", Confined("up", ShopAndPay));
    }

    [Theory]
    [InlineData("sum by (pod) (rate(container_cpu_usage_seconds_total{container!=\"\"}[5m]))",
        "sum by (pod) (rate(container_cpu_usage_seconds_total{container!=\"\", namespace=\"team-a-shop\"}[5m]))")]
    [InlineData("max_over_time(rate(x[1m])[30m:1m])", "max_over_time(rate(x{namespace=\"team-a-shop\"}[1m])[30m:1m])")]
    [InlineData("a / on (pod) group_left (node) b", "a{namespace=\"team-a-shop\"} / on (pod) group_left (node) b{namespace=\"team-a-shop\"}")]
    [InlineData("topk(3, x) > bool 2", "topk(3, x{namespace=\"team-a-shop\"}) > bool 2")]
    [InlineData("x offset 5m", "x{namespace=\"team-a-shop\"} offset 5m")]
    [InlineData("rate(x[5m] @ end())", "rate(x{namespace=\"team-a-shop\"}[5m] @ end())")]
    [InlineData("{__name__=~\"kube_.*\"}", "{__name__=~\"kube_.*\", namespace=\"team-a-shop\"}")]
    [InlineData("x unless y or z", "x{namespace=\"team-a-shop\"} unless y{namespace=\"team-a-shop\"} or z{namespace=\"team-a-shop\"}")]
    [InlineData("-x ^ 2", "-x{namespace=\"team-a-shop\"} ^ 2")]
    [InlineData("absent(up{job=\"a\"})", "absent(up{job=\"a\", namespace=\"team-a-shop\"})")]
    [InlineData("count_values(\"v\", x)", "count_values(\"v\", x{namespace=\"team-a-shop\"})")]
    [InlineData("sum(x) without (instance)", "sum without (instance) (x{namespace=\"team-a-shop\"})")]
    [InlineData("job:http_requests:rate5m > 0.5", "job:http_requests:rate5m{namespace=\"team-a-shop\"} > 0.5")]
    [InlineData("time() - 3", "time() - 3")]
    public void every_selector_anywhere_in_the_expression_is_confined(string query, string expected)
    {
        Assert.Equal(expected, Confined(query));
    }

    [Fact]
    public void the_users_own_namespace_matcher_is_kept_and_narrowed()
    {
        Assert.Equal("x{namespace=\"team-a-shop\", namespace=\"team-a-shop\"}", Confined("x{namespace=\"team-a-shop\"}"));
        Assert.Equal("x{namespace=~\".+\", namespace=\"team-a-shop\"}", Confined("x{namespace=~\".+\"}"));
        Assert.Equal("x{namespace!=\"team-a-shop\", namespace=\"team-a-shop\"}", Confined("x{namespace!=\"team-a-shop\"}"));
    }

    [Fact]
    public void a_namespace_outside_the_workspace_is_refused_with_the_reason()
    {
        var result = PromQlConfinement.Confine("rate(x{namespace=\"team-b-shop\"}[5m])", Shop);
        Assert.Null(result.Query);
        Assert.Contains("namespace \"team-b-shop\" is not one of this workspace's namespaces", result.Error);
    }

    [Theory]
    [InlineData("label_replace(x, \"namespace\", \"team-b-shop\", \"\", \"\")")]
    [InlineData("label_join(x, \"namespace\", \",\", \"pod\")")]
    public void rewriting_the_namespace_label_cannot_be_confined(string query)
    {
        var result = PromQlConfinement.Confine(query, Shop);
        Assert.Contains("may not write the namespace label", result.Error);
    }

    [Fact]
    public void without_namespaces_nothing_is_confined()
    {
        Assert.Contains("no namespace", PromQlConfinement.Confine("up", []).Error);
    }

    [Theory]
    [InlineData("rate(x[5m]", "expected \")\"")]
    [InlineData("sum by (pod (x)", "expected")]
    [InlineData("x{a=b}", "expected a quoted label value")]
    [InlineData("nosuchfunction(x)", "unknown function with name \"nosuchfunction\"")]
    [InlineData("rate(x)[5m]", "ranges only allowed for vector selectors")]
    [InlineData("{a=\"\"}", "at least one non-empty matcher")]
    [InlineData("x{a=~\"(\"}", "invalid regular expression")]
    [InlineData("1 > 2", "BOOL modifier")]
    [InlineData("x and 1", "set operator")]
    [InlineData("\"abc", "unterminated quoted string")]
    [InlineData("x offset", "a duration after offset")]
    [InlineData("", "empty")]
    [InlineData("rate(x[5m], 2)", "wrong number of arguments")]
    public void an_expression_that_does_not_parse_says_why(string query, string reason)
    {
        var result = PromQlConfinement.Confine(query, Shop);
        Assert.Null(result.Query);
        Assert.StartsWith("The expression does not parse", result.Error);
        Assert.Contains(reason, result.Error);
    }

    [Fact]
    public void parsing_is_bounded_in_depth_and_length()
    {
        var deep = new string('(', 200) + "x" + new string(')', 200);
        Assert.Contains("nests deeper than", PromQlConfinement.Check(deep).Error);
        var wide = string.Join(" + ", Enumerable.Repeat("x", 2_000));
        Assert.Contains("longer than", PromQlConfinement.Check(wide).Error);
    }

    [Fact]
    public void strings_round_trip_with_their_escapes()
    {
        Assert.Equal("x{path=~\"/a\\\\.b\", q=\"say \\\"hi\\\"\", namespace=\"team-a-shop\"}", Confined("x{path=~`/a\\.b`, q='say \"hi\"'}"));
    }
}
