using System.Globalization;
using System.Text.Json;
using Cocktail.Application.Monitoring;

namespace Cocktail.Infrastructure.Monitoring;

/// <summary>
/// Reads Prometheus' HTTP API answers (<c>{"status":"success","data":{"resultType":...,"result":...}}</c>, or
/// <c>{"status":"error","errorType":...,"error":...}</c>) into samples and series. The body is already bounded in size.
/// </summary>
public static class PrometheusAnswerParser
{
    static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    /// <summary>The error Prometheus reported (errorType, error), or null when the body is not its error format.</summary>
    public static (string Type, string Message)? Error(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body, Options);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.GetString() != "error") return null;
            return (root.TryGetProperty("errorType", out var type) ? type.GetString() ?? "" : "",
                    root.TryGetProperty("error", out var error) ? error.GetString() ?? "" : "");
        }
        catch (JsonException) { return null; }
    }

    public static PrometheusAnswer<IReadOnlyList<PrometheusSample>> Vector(ReadOnlyMemory<byte> body)
    {
        using var doc = JsonDocument.Parse(body, Options);
        var data = Data(doc);
        var type = data.GetProperty("resultType").GetString();
        var result = data.GetProperty("result");
        switch (type)
        {
            case "vector":
                var samples = new List<PrometheusSample>(result.GetArrayLength());
                foreach (var item in result.EnumerateArray())
                {
                    var (at, value) = Point(item.GetProperty("value"));
                    samples.Add(new PrometheusSample(Labels(item.GetProperty("metric")), at, value));
                }
                return PrometheusAnswer<IReadOnlyList<PrometheusSample>>.Ok(samples);
            case "scalar":
                var (t, v) = Point(result);
                return PrometheusAnswer<IReadOnlyList<PrometheusSample>>.Ok([new PrometheusSample(new Dictionary<string, string>(), t, v)]);
            default:
                return PrometheusAnswer<IReadOnlyList<PrometheusSample>>.Fail(PrometheusFailureKind.BadQuery,
                    $"The query returns a {type}; an instant query needs an instant vector or a scalar (drop the range selector [..]).");
        }
    }

    public static PrometheusAnswer<IReadOnlyList<PrometheusSeries>> Matrix(ReadOnlyMemory<byte> body)
    {
        using var doc = JsonDocument.Parse(body, Options);
        var data = Data(doc);
        var type = data.GetProperty("resultType").GetString();
        if (type != "matrix")
            return PrometheusAnswer<IReadOnlyList<PrometheusSeries>>.Fail(PrometheusFailureKind.BadQuery, $"A range query answered a {type}, not a matrix.");
        var series = new List<PrometheusSeries>();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var values = item.GetProperty("values");
            var points = new List<PrometheusPoint>(values.GetArrayLength());
            foreach (var value in values.EnumerateArray())
            {
                var (at, v) = Point(value);
                points.Add(new PrometheusPoint(at, v));
            }
            series.Add(new PrometheusSeries(Labels(item.GetProperty("metric")), points));
        }
        return PrometheusAnswer<IReadOnlyList<PrometheusSeries>>.Ok(series);
    }

    public static string BuildVersion(ReadOnlyMemory<byte> body)
    {
        using var doc = JsonDocument.Parse(body, Options);
        return Data(doc).TryGetProperty("version", out var version) ? version.GetString() ?? "" : "";
    }

    static JsonElement Data(JsonDocument doc)
    {
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var status) || status.GetString() != "success")
            throw new JsonException("not a Prometheus success answer");
        return root.GetProperty("data");
    }

    static Dictionary<string, string> Labels(JsonElement metric)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in metric.EnumerateObject()) labels[p.Name] = p.Value.GetString() ?? "";
        return labels;
    }

    /// <summary>[ unix seconds (float), "value" ]; values are strings so that NaN and ±Inf survive JSON.</summary>
    static (DateTimeOffset At, double Value) Point(JsonElement pair)
    {
        var seconds = pair[0].GetDouble();
        var text = pair[1].GetString() ?? "NaN";
        var value = text switch
        {
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return (DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)), value);
    }
}
