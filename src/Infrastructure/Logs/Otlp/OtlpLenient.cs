using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using L = Cocktail.Infrastructure.Logs.Otlp.Lenient;

namespace Cocktail.Infrastructure.Logs.Otlp;

/// <summary>
/// A payload the strict parser refused for invalid UTF-8, read through the lenient view (lenient/otlp_logs_lenient.proto,
/// strings as bytes) and turned into the protocol's own messages, each string decoded with U+FFFD for broken bytes.
/// </summary>
internal static class OtlpLenient
{
    public static bool IsInvalidUtf8(InvalidProtocolBufferException e) => e.Message.Contains("UTF-8", StringComparison.Ordinal);

    public static ExportLogsServiceRequest Parse(ReadOnlySpan<byte> body)
    {
        var lenient = L.ExportLogsServiceRequest.Parser.ParseFrom(body);
        var request = new ExportLogsServiceRequest();
        foreach (var rl in lenient.ResourceLogs)
        {
            var resourceLogs = new ResourceLogs();
            if (rl.Resource is { } resource)
            {
                resourceLogs.Resource = new Resource();
                resourceLogs.Resource.Attributes.Add(resource.Attributes.Select(KeyValue));
            }
            foreach (var sl in rl.ScopeLogs)
            {
                var scope = new ScopeLogs();
                foreach (var r in sl.LogRecords)
                {
                    var record = new LogRecord
                    {
                        TimeUnixNano = r.TimeUnixNano, ObservedTimeUnixNano = r.ObservedTimeUnixNano, SeverityNumber = (SeverityNumber)r.SeverityNumber,
                        SeverityText = r.SeverityText.ToStringUtf8(), Body = r.Body is null ? null : Value(r.Body),
                    };
                    record.Attributes.Add(r.Attributes.Select(KeyValue));
                    scope.LogRecords.Add(record);
                }
                resourceLogs.ScopeLogs.Add(scope);
            }
            request.ResourceLogs.Add(resourceLogs);
        }
        return request;
    }

    private static KeyValue KeyValue(L.KeyValue kv) => new() { Key = kv.Key.ToStringUtf8(), Value = kv.Value is null ? null : Value(kv.Value) };

    private static AnyValue Value(L.AnyValue v)
    {
        var value = new AnyValue();
        switch (v.ValueCase)
        {
            case L.AnyValue.ValueOneofCase.StringValue: value.StringValue = v.StringValue.ToStringUtf8(); break;
            case L.AnyValue.ValueOneofCase.BoolValue: value.BoolValue = v.BoolValue; break;
            case L.AnyValue.ValueOneofCase.IntValue: value.IntValue = v.IntValue; break;
            case L.AnyValue.ValueOneofCase.DoubleValue: value.DoubleValue = v.DoubleValue; break;
            case L.AnyValue.ValueOneofCase.BytesValue: value.BytesValue = v.BytesValue; break;
            case L.AnyValue.ValueOneofCase.ArrayValue:
                value.ArrayValue = new ArrayValue();
                value.ArrayValue.Values.Add(v.ArrayValue.Values.Select(Value));
                break;
            case L.AnyValue.ValueOneofCase.KvlistValue:
                value.KvlistValue = new KeyValueList();
                value.KvlistValue.Values.Add(v.KvlistValue.Values.Select(KeyValue));
                break;
        }
        return value;
    }
}
