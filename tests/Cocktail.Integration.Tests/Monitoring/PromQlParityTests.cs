using System.Diagnostics;
using Cocktail.Domain.Monitoring.PromQl;

namespace Cocktail.Integration.Tests.Monitoring;

/// <summary>
/// Cocktail's PromQL parser decides what a workspace's rule may read, so what it prints after confinement must be
/// PromQL that the real Prometheus reads the same way, and what it refuses must be what Prometheus refuses.
/// Checked with the real <c>promtool check rules</c>.
/// </summary>
public sealed class PromQlParityTests
{
    private static readonly string? Promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);

    private static readonly string[] Accepted =
    [
        "up",
        "sum by (pod) (rate(container_cpu_usage_seconds_total{container!=\"\"}[5m]))",
        "max_over_time(rate(x[1m])[30m:1m])",
        "a / on (pod) group_left (node) b",
        "topk(3, x) > bool 2",
        "x offset 5m",
        "rate(x[5m] @ end())",
        "{__name__=~\"kube_.*\"}",
        "x unless y or z",
        "-x ^ 2",
        "absent(up{job=\"a\"})",
        "count_values(\"v\", x)",
        "sum(x) without (instance)",
        "job:http_requests:rate5m > 0.5",
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
        "kube_pod_container_status_restarts_total - kube_pod_container_status_restarts_total offset 10m > 3",
        "x{path=~`/a\\.b`, q='say \"hi\"'}",
        "clamp(x, 0, 1) * 100",
        "avg_over_time(x[1h:5m] offset 1d)",
        "label_replace(x, \"team\", \"$1\", \"pod\", \"(.*)-.*\")",
        "(x + y) / 2",
        "sum without () (x)",
    ];

    private static readonly string[] Refused =
    [
        "rate(x[5m]",
        "nosuchfunction(x)",
        "rate(x)[5m]",
        "{a=\"\"}",
        "1 > 2",
        "x and 1",
        "x{a=b}",
        "rate(x[5m], 2)",
    ];

    [SkippableFact]
    public async Task confined_expressions_are_valid_promql_for_the_real_prometheus()
    {
        Skip.If(Promtool is null, "promtool (Debian package prometheus) is not installed on this machine");
        var confined = Accepted.Select(q => PromQlConfinement.Confine(q, ["team-a-shop", "team-a-pay"])).ToList();
        Assert.All(confined, c => Assert.True(c.Succeeded, c.Error));
        var (exit, output) = await CheckRulesAsync(confined.Select(c => c.Query!));
        Assert.True(exit == 0, output);
    }

    [SkippableFact]
    public async Task what_cocktail_refuses_the_real_prometheus_refuses_too()
    {
        Skip.If(Promtool is null, "promtool (Debian package prometheus) is not installed on this machine");
        foreach (var query in Refused)
        {
            Assert.False(PromQlConfinement.Check(query).Succeeded, query);
            var (exit, output) = await CheckRulesAsync([query]);
            Assert.True(exit != 0, $"promtool accepted {query}: {output}");
        }
    }

    private static async Task<(int Exit, string Output)> CheckRulesAsync(IEnumerable<string> expressions)
    {
        var file = Path.Combine(Path.GetTempPath(), $"cocktail-rules-{Guid.NewGuid():N}.yml");
        var rules = expressions.Select((e, i) => $"      - alert: Rule{i}\n        expr: '{e.Replace("'", "''")}'\n");
        await File.WriteAllTextAsync(file, "groups:\n  - name: parity\n    rules:\n" + string.Concat(rules));
        try
        {
            using var process = Process.Start(new ProcessStartInfo(Promtool!, ["check", "rules", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
