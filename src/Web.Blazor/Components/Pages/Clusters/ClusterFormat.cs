using System.Globalization;
using Cocktail.Application.Clusters.ObservingInventory;

namespace Cocktail.Web.Components.Pages.Clusters;

/// <summary>How the console writes quantities: CPU in cores, memory in GiB or MiB, GPUs and pods as counts.</summary>
public static class ClusterFormat
{
    private const double GiB = 1024d * 1024 * 1024;
    private const double MiB = 1024d * 1024;

    public static string Cpu(long millis) =>
        millis is > 0 and < 1000 ? $"{millis}m" : (millis / 1000d).ToString("0.##", CultureInfo.InvariantCulture);

    public static string Memory(long bytes) => bytes >= GiB
        ? (bytes / GiB).ToString("0.#", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / MiB).ToString("0", CultureInfo.InvariantCulture) + " MiB";


    /// <summary>"1.5 / 16 cores", "2 / 64 GiB": the unit once, after the total.</summary>
    public static string CpuOf(long used, long total) => $"{Cpu(used)} / {Cpu(total)} cores";

    public static string MemoryOf(long used, long total) => $"{Memory(used)} / {Memory(total)}";

    public static string All(ResourceAmounts amounts) =>
        $"{Cpu(amounts.CpuMillis)} CPU · {Memory(amounts.MemoryBytes)}" + (amounts.Gpus > 0 ? $" · {amounts.Gpus} GPU" : "");

    public static double Percent(long used, long total) => total <= 0 ? 0 : Math.Min(100, used * 100d / total);

    /// <summary>Green while there is room, orange when tight, red when (nearly) full.</summary>
    public static MudBlazor.Color Pressure(double percent) => percent switch
    {
        >= 90 => MudBlazor.Color.Error,
        >= 70 => MudBlazor.Color.Warning,
        _ => MudBlazor.Color.Success,
    };

    public static string Labels(IReadOnlyDictionary<string, string> labels) =>
        string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    /// <summary>"3h", "2d": how long ago, for tables where the exact time is in the tooltip.</summary>
    public static string Age(DateTimeOffset? since, DateTimeOffset now)
    {
        if (since is not { } s) return "—";
        var age = now - s;
        return age.TotalMinutes < 1 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
