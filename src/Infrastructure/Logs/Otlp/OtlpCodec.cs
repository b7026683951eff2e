using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Cocktail.Application.Logs.Receiving;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;

namespace Cocktail.Infrastructure.Logs.Otlp;

/// <summary>
/// OTLP/HTTP logs with Google.Protobuf and the classes Grpc.Tools generates from the protocol's .proto files
/// (Logs/Otlp/proto). Binary payloads are the generated parser's; JSON payloads are Google.Protobuf's JsonParser
/// after one rewrite (<see cref="OtlpJson"/>). Invalid UTF-8 becomes U+FFFD rather than a refusal: Google.Protobuf
/// refuses such a message whole, so it is read again through a lenient view (<see cref="OtlpLenient"/>).
/// </summary>
public sealed class OtlpCodec : IOtlpCodec
{
    public (DecodedLogs? Logs, string? Error) Decode(ReadOnlyMemory<byte> body, OtlpEncoding encoding, OtlpOptions limits, DateTimeOffset now)
    {
        ExportLogsServiceRequest request;
        try
        {
            request = encoding == OtlpEncoding.Json ? OtlpJson.Parse(body, limits.MaxDepth) : ParseBinary(body);
        }
        catch (InvalidProtocolBufferException e) when (encoding == OtlpEncoding.Protobuf && OtlpLenient.IsInvalidUtf8(e))
        {
            try { request = OtlpLenient.Parse(body.Span); }
            catch (InvalidProtocolBufferException again) { return (null, $"The body is not a valid protobuf ExportLogsServiceRequest: {Describe(again)}"); }
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or JsonException or FormatException or OtlpJsonException)
        {
            return (null, $"The body is not a valid {(encoding == OtlpEncoding.Json ? "JSON" : "protobuf")} ExportLogsServiceRequest: {Describe(e)}");
        }
        return (new OtlpLogsReader(limits, now).Read(request), null);
    }

    /// <summary>The parser's own words, bounded: they name the problem (a truncated message, a bad tag), never the payload.</summary>
    private static string Describe(Exception e) => e.Message.Length <= 300 ? e.Message : e.Message[..300];

    private static ExportLogsServiceRequest ParseBinary(ReadOnlyMemory<byte> body) =>
        MemoryMarshal.TryGetArray(body, out var segment)
            ? ExportLogsServiceRequest.Parser.ParseFrom(segment.Array!, segment.Offset, segment.Count)
            : ExportLogsServiceRequest.Parser.ParseFrom(new ReadOnlySequence<byte>(body));

    public byte[] Response(OtlpEncoding encoding, long rejected, string? message)
    {
        var response = new ExportLogsServiceResponse();
        // The specification: leave partial_success unset on full success.
        if (rejected > 0 || !string.IsNullOrEmpty(message))
            response.PartialSuccess = new ExportLogsPartialSuccess { RejectedLogRecords = rejected, ErrorMessage = message ?? "" };
        return Encode(encoding, response);
    }

    public byte[] Status(OtlpEncoding encoding, int code, string message) =>
        Encode(encoding, new Google.Rpc.Status { Code = code, Message = message });

    private static byte[] Encode(OtlpEncoding encoding, IMessage message) =>
        encoding == OtlpEncoding.Json ? Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message)) : message.ToByteArray();
}

/// <summary>From the generated messages to bounded, decoded lines with their Kubernetes resource attributes.</summary>
internal sealed class OtlpLogsReader(OtlpOptions limits, DateTimeOffset now)
{
    private int _rejected;
    private string? _reason;

    public DecodedLogs Read(ExportLogsServiceRequest request)
    {
        var resources = new List<DecodedResourceLogs>(request.ResourceLogs.Count);
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var records = resourceLogs.ScopeLogs.Sum(s => s.LogRecords.Count);
            var attributes = resourceLogs.Resource?.Attributes;
            if (attributes is not null && !WithinBounds(attributes, 1))
            {
                Reject(records, $"a resource has more than {limits.MaxAttributes} attributes or nests them deeper than {limits.MaxDepth} levels");
                continue;
            }
            var lines = new List<DecodedLogRecord>(records);
            foreach (var scope in resourceLogs.ScopeLogs)
            foreach (var record in scope.LogRecords)
            {
                if (!WithinBounds(record.Attributes, 1))
                {
                    Reject(1, $"a log record has more than {limits.MaxAttributes} attributes or nests them deeper than {limits.MaxDepth} levels");
                    continue;
                }
                lines.Add(Line(record));
            }
            if (lines.Count > 0) resources.Add(Resource(attributes, lines));
        }
        return new DecodedLogs(resources, _rejected, _reason is null ? null : $"{_rejected} log record(s) rejected: {_reason}.");
    }

    private void Reject(int count, string reason)
    {
        _rejected += count;
        _reason ??= reason;
    }

    private bool WithinBounds(IReadOnlyCollection<KeyValue> attributes, int depth)
    {
        if (attributes.Count > limits.MaxAttributes || depth > limits.MaxDepth) return false;
        foreach (var a in attributes)
            if (!WithinBounds(a.Value, depth)) return false;
        return true;
    }

    private bool WithinBounds(AnyValue? value, int depth) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.KvlistValue => WithinBounds(value.KvlistValue.Values, depth + 1),
        AnyValue.ValueOneofCase.ArrayValue => value.ArrayValue.Values.Count <= limits.MaxAttributes && depth < limits.MaxDepth &&
                                              value.ArrayValue.Values.All(v => WithinBounds(v, depth + 1)),
        _ => true,
    };

    private DecodedLogRecord Line(LogRecord record)
    {
        var observed = Time(record.ObservedTimeUnixNano) ?? now;
        var time = Time(record.TimeUnixNano) ?? observed;
        var severity = (int)record.SeverityNumber is var n and >= 0 and <= 24 ? n : 0;
        var severityText = record.SeverityText is { Length: > 0 } text ? Text.Bounded(text, 64).Text : null;
        var (body, truncated) = Text.Bounded(BodyText(record.Body), limits.MaxLineBytes);
        return new DecodedLogRecord(time, observed, severity, severityText, body, truncated);
    }

    /// <summary>Nanoseconds since the epoch; 0 (unset) and times no calendar holds are null.</summary>
    private static DateTimeOffset? Time(ulong unixNanos)
    {
        if (unixNanos == 0) return null;
        var ticks = unixNanos / 100;
        return ticks <= (ulong)(DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks)
            ? DateTimeOffset.UnixEpoch.AddTicks((long)ticks)
            : null;
    }

    /// <summary>A string body as it is; structured bodies (maps, arrays) as JSON, cut at <see cref="OtlpOptions.MaxDepth"/>.</summary>
    private string BodyText(AnyValue? body)
    {
        if (body is null) return "";
        if (body.ValueCase == AnyValue.ValueOneofCase.StringValue) return body.StringValue;
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = limits.MaxDepth + 2 }))
            Write(json, body, 0);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private void Write(Utf8JsonWriter json, AnyValue? value, int depth)
    {
        switch (value?.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue: json.WriteStringValue(value.StringValue); break;
            case AnyValue.ValueOneofCase.BoolValue: json.WriteBooleanValue(value.BoolValue); break;
            case AnyValue.ValueOneofCase.IntValue: json.WriteNumberValue(value.IntValue); break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue): json.WriteNumberValue(value.DoubleValue); break;
            case AnyValue.ValueOneofCase.DoubleValue: json.WriteStringValue(value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case AnyValue.ValueOneofCase.BytesValue: json.WriteBase64StringValue(value.BytesValue.Span); break;
            case AnyValue.ValueOneofCase.KvlistValue when depth < limits.MaxDepth:
                json.WriteStartObject();
                foreach (var kv in value.KvlistValue.Values.Take(limits.MaxAttributes))
                {
                    json.WritePropertyName(kv.Key);
                    Write(json, kv.Value, depth + 1);
                }
                json.WriteEndObject();
                break;
            case AnyValue.ValueOneofCase.ArrayValue when depth < limits.MaxDepth:
                json.WriteStartArray();
                foreach (var item in value.ArrayValue.Values.Take(limits.MaxAttributes)) Write(json, item, depth + 1);
                json.WriteEndArray();
                break;
            case AnyValue.ValueOneofCase.KvlistValue or AnyValue.ValueOneofCase.ArrayValue: json.WriteStringValue("…"); break;
            default: json.WriteNullValue(); break;
        }
    }

    private static DecodedResourceLogs Resource(IEnumerable<KeyValue>? attributes, List<DecodedLogRecord> lines)
    {
        string? ns = null, pod = null, container = null, node = null;
        string? deployment = null, statefulSet = null, daemonSet = null, cronJob = null, job = null, replicaSet = null;
        foreach (var a in attributes ?? [])
        {
            if (a.Value?.ValueCase != AnyValue.ValueOneofCase.StringValue || a.Value.StringValue is not { Length: > 0 and <= 253 } v) continue;
            switch (a.Key)
            {
                case "k8s.namespace.name": ns = v; break;
                case "k8s.pod.name": pod = v; break;
                case "k8s.container.name": container = v; break;
                case "k8s.node.name": node = v; break;
                case "k8s.deployment.name": deployment = v; break;
                case "k8s.statefulset.name": statefulSet = v; break;
                case "k8s.daemonset.name": daemonSet = v; break;
                case "k8s.cronjob.name": cronJob = v; break;
                case "k8s.job.name": job = v; break;
                case "k8s.replicaset.name": replicaSet = v; break;
            }
        }
        // A CronJob's pods carry both the Job's and the CronJob's name: the CronJob is the workload people deploy.
        var (kind, name) = deployment is not null ? ("Deployment", deployment)
            : statefulSet is not null ? ("StatefulSet", statefulSet)
            : daemonSet is not null ? ("DaemonSet", daemonSet)
            : cronJob is not null ? ("CronJob", cronJob)
            : job is not null ? ("Job", job)
            : replicaSet is not null ? ("ReplicaSet", replicaSet)
            : ((string?)null, (string?)null);
        return new DecodedResourceLogs(ns, pod, container, node, kind, name, lines);
    }
}

/// <summary>Text made safe to store and bounded in UTF-8 bytes.</summary>
internal static class Text
{
    /// <summary>
    /// Cut at <paramref name="maxBytes"/> UTF-8 bytes (never inside a character). U+0000, which PostgreSQL text cannot
    /// hold, and lone surrogates, which no UTF-8 can, become U+FFFD.
    /// </summary>
    public static (string Text, bool Truncated) Bounded(string text, int maxBytes)
    {
        var truncated = false;
        if (text.Length > maxBytes / 3 && Encoding.UTF8.GetByteCount(text) > maxBytes)
        {
            var chars = 0;
            var bytes = 0;
            while (chars < text.Length)
            {
                var width = char.IsHighSurrogate(text[chars]) && chars + 1 < text.Length && char.IsLowSurrogate(text[chars + 1]) ? 2 : 1;
                var size = width == 2 ? 4 : text[chars] < 0x80 ? 1 : text[chars] < 0x800 ? 2 : 3;
                if (bytes + size > maxBytes) break;
                bytes += size;
                chars += width;
            }
            text = text[..chars];
            truncated = true;
        }
        return (Clean(text), truncated);
    }

    private static string Clean(string text)
    {
        var span = text.AsSpan();
        var i = 0;
        for (; i < span.Length; i++)
        {
            var c = span[i];
            if (c == '\0') break;
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1])) { i++; continue; }
                break;
            }
        }
        if (i == span.Length) return text;
        var builder = new StringBuilder(text.Length);
        for (var j = 0; j < span.Length; j++)
        {
            var c = span[j];
            if (char.IsHighSurrogate(c) && j + 1 < span.Length && char.IsLowSurrogate(span[j + 1])) { builder.Append(c).Append(span[++j]); continue; }
            builder.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return builder.ToString();
    }
}
