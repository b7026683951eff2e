namespace Cocktail.Domain.Monitoring.Charts;

/// <summary>How a chart's numbers read: the console formats the axis and the API says what the values are.</summary>
public enum ChartUnit { Cores, Bytes, BytesPerSecond, Percent, Count }

/// <summary>A named chart: what it shows and the PromQL it asks, built for one target and range.</summary>
public sealed record ChartDefinition(string Name, string Title, ChartUnit Unit, Func<ChartTarget, ChartRange, string> Query);

/// <summary>
/// The charts every scope has, each a PromQL template over the standard series: kubelet/cAdvisor
/// (<c>container_cpu_usage_seconds_total</c>, <c>container_memory_working_set_bytes</c>, <c>container_network_*_bytes_total</c>,
/// <c>container_fs_usage_bytes</c>), kube-state-metrics (<c>kube_pod_container_status_restarts_total</c>, <c>kube_pod_info</c>)
/// and the NVIDIA DCGM exporter (<c>DCGM_FI_DEV_GPU_UTIL</c>, <c>DCGM_FI_DEV_FB_USED</c>, with its pod attribution). Cocktail
/// writes every query itself, and every selector goes through <see cref="ChartTarget.Select"/>, which adds the target's
/// namespace matcher.
/// </summary>
public static class ChartCatalog
{
    public static readonly IReadOnlyList<ChartDefinition> All =
    [
        new("cpu", "CPU", ChartUnit.Cores, (t, r) =>
            Sum(t, $"rate({t.Select("container_cpu_usage_seconds_total", "container!=\"\"", "pod!=\"\"")}[{Window(r)}])")),
        new("memory", "Memory", ChartUnit.Bytes, (t, _) =>
            Sum(t, t.Select("container_memory_working_set_bytes", "container!=\"\"", "pod!=\"\""))),
        new("gpu-utilisation", "GPU utilisation", ChartUnit.Percent, (t, _) =>
            Aggregate("avg", t, t.Select("DCGM_FI_DEV_GPU_UTIL", "pod!=\"\""))),
        new("gpu-memory", "GPU memory", ChartUnit.Bytes, (t, _) =>
            $"{Sum(t, t.Select("DCGM_FI_DEV_FB_USED", "pod!=\"\""))} * 1048576"),
        new("network-in", "Network in", ChartUnit.BytesPerSecond, (t, r) =>
            Sum(t, $"rate({t.Select("container_network_receive_bytes_total", "pod!=\"\"")}[{Window(r)}])")),
        new("network-out", "Network out", ChartUnit.BytesPerSecond, (t, r) =>
            Sum(t, $"rate({t.Select("container_network_transmit_bytes_total", "pod!=\"\"")}[{Window(r)}])")),
        new("filesystem", "Filesystem", ChartUnit.Bytes, (t, _) =>
            Sum(t, t.Select("container_fs_usage_bytes", "container!=\"\"", "pod!=\"\""))),
        new("restarts", "Restarts", ChartUnit.Count, (t, _) =>
            Sum(t, t.Select("kube_pod_container_status_restarts_total"))),
    ];

    public static IEnumerable<string> Names => All.Select(c => c.Name);

    public static ChartDefinition? Find(string? name) => All.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    private static string Sum(ChartTarget t, string perSeries) => Aggregate("sum", t, perSeries);

    /// <summary>
    /// By the label that names the legend's lines. On a node, per pod first so that the node's pods can be picked. Elsewhere
    /// the per-pod step is left out where it changes nothing (a sum of sums, or grouping by pod anyway): one aggregation
    /// less for every step of every series.
    /// </summary>
    private static string Aggregate(string how, ChartTarget t, string perSeries) =>
        t.Node is null && (how == "sum" || t.GroupBy == "namespace,pod")
            ? $"{how} by ({t.GroupBy}) ({perSeries})"
            : $"{how} by ({t.GroupBy}) ({t.OnNode($"{how} by (namespace,pod) ({perSeries})")})";

    private static string Window(ChartRange r) => $"{(long)r.RateWindow.TotalSeconds}s";
}
