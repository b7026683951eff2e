using System.Globalization;
using System.Text;

namespace Cocktail.KubeSim.Metrics;

/// <summary>
/// The Prometheus text exposition format 0.0.4: per family a <c># HELP</c> and a <c># TYPE</c> line, then one line
/// per sample, <c>name{label="value",...} value</c>, label values escaped (backslash, double quote, newline).
/// </summary>
internal sealed class TextExposition
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    readonly StringBuilder _text = new();
    readonly HashSet<string> _families = new(StringComparer.Ordinal);

    /// <summary>Starts a family (once; samples of a family must follow its header without another family between).</summary>
    public TextExposition Family(string name, string type, string help)
    {
        if (!_families.Add(name)) throw new InvalidOperationException($"family {name} written twice");
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public TextExposition Sample(string name, double value, params (string Name, string? Value)[] labels)
    {
        _text.Append(name);
        var first = true;
        foreach (var (label, labelValue) in labels)
        {
            if (labelValue is null) continue;
            _text.Append(first ? '{' : ',').Append(label).Append("=\"").Append(Escape(labelValue)).Append('"');
            first = false;
        }
        if (!first) _text.Append('}');
        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(_text.ToString());

    public override string ToString() => _text.ToString();

    static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ when value == Math.Floor(value) && Math.Abs(value) < 1e15 => ((long)value).ToString(CultureInfo.InvariantCulture),
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}

/// <summary>
/// Counters that only go up while their rate changes (a pod's CPU annotation, pods coming and going): each read
/// adds rate × time since the last read. A new key starts at rate × time since its start (a container's start).
/// </summary>
internal sealed class CounterBank(TimeProvider time)
{
    readonly Dictionary<string, (double Value, DateTimeOffset At)> _counters = new(StringComparer.Ordinal);
    readonly Lock _gate = new();

    public double Advance(string key, double ratePerSecond, DateTimeOffset start)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var value = _counters.TryGetValue(key, out var last)
                ? last.Value + ratePerSecond * Math.Max(0, (now - last.At).TotalSeconds)
                : ratePerSecond * Math.Max(0, (now - start).TotalSeconds);
            _counters[key] = (value, now);
            return value;
        }
    }
}
