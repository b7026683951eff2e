using System.Globalization;
using Cocktail.Domain.Monitoring.Charts;

namespace Cocktail.Web.Components.Pages.Monitoring;

/// <summary>How the metrics pages write a chart's numbers: cores, binary bytes, bytes per second, percent, counts.</summary>
public static class MetricsFormat
{
    private static readonly string[] Binary = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    public static string Value(ChartUnit unit, double value) => unit switch
    {
        ChartUnit.Cores => $"{Number(value, value < 1 ? "0.###" : "0.##")} cores",
        ChartUnit.Bytes => Bytes(value),
        ChartUnit.BytesPerSecond => Bytes(value) + "/s",
        ChartUnit.Percent => $"{Number(value, "0.#")} %",
        _ => Number(value, "0.##"),
    };

    /// <summary>The axis' shorter form: no unit word for cores and counts.</summary>
    public static string Axis(ChartUnit unit, double value) => unit switch
    {
        ChartUnit.Cores or ChartUnit.Count => Number(value, "0.##"),
        _ => Value(unit, value),
    };

    public static string Bytes(double bytes)
    {
        var i = 0;
        while (Math.Abs(bytes) >= 1024 && i < Binary.Length - 1)
        {
            bytes /= 1024;
            i++;
        }
        return $"{Number(bytes, bytes < 10 && i > 0 ? "0.#" : "0")} {Binary[i]}";
    }

    public static string Number(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Labels on the time axis far enough apart to read, whatever the range.</summary>
    public static (TimeSpan Spacing, string Format) TimeAxis(TimeSpan span) => span.TotalHours switch
    {
        <= 0.25 => (TimeSpan.FromMinutes(2), "HH:mm"),
        <= 1.5 => (TimeSpan.FromMinutes(10), "HH:mm"),
        <= 7 => (TimeSpan.FromHours(1), "HH:mm"),
        <= 25 => (TimeSpan.FromHours(4), "HH:mm"),
        _ => (TimeSpan.FromDays(1), "MM-dd"),
    };
}
