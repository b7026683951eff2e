using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Http.Protobuf;

/// <summary>
/// Decodes the apiserver's protobuf envelope ("k8s\0" + runtime.Unknown{typeMeta, raw}) into the JSON the rest of
/// KubeSim works with, walking the message by <see cref="ProtobufSchema"/> with Go's JSON rules: omitempty value
/// fields at their zero value are left out, pointer fields keep an explicit zero, bytes become base64, Time/MicroTime become
/// RFC 3339, Quantity and IntOrString their string or number, RawExtension its embedded object. A kind without a
/// table gets 415, like an unknown media type.
/// </summary>
public static class ProtobufDecoder
{
    static readonly byte[] Magic = "k8s\0"u8.ToArray();
    const string Meta = "k8s.io.apimachinery.pkg.apis.meta.v1.";
    const string Extensions = "k8s.io.apiextensions-apiserver.pkg.apis.apiextensions.v1.";
    const long ZeroTimeSeconds = -62135596800; // Go's time.Time{}.Unix()

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(Magic))
            throw ApiException.BadRequest("provided object is not a valid protobuf envelope");
        string apiVersion = "", kind = "";
        ReadOnlyMemory<byte> raw = default;
        try
        {
            var reader = new WireReader(body.AsMemory(4));
            while (reader.Next(out var field, out var wireType))
            {
                switch (field)
                {
                    case 1:
                        var typeMeta = new WireReader(reader.ReadBytes());
                        while (typeMeta.Next(out var f, out var w))
                        {
                            if (f is not (1 or 2)) { typeMeta.Skip(w); continue; }
                            var s = Encoding.UTF8.GetString(typeMeta.ReadBytes().Span);
                            if (f == 1) apiVersion = s; else kind = s;
                        }
                        break;
                    case 2: raw = reader.ReadBytes(); break;
                    default: reader.Skip(wireType); break;
                }
            }
            var schema = ProtobufSchema.ForKind(apiVersion, kind)
                ?? throw ApiException.UnsupportedMediaType($"application/vnd.kubernetes.protobuf ({apiVersion}, Kind={kind})");
            var obj = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
            DecodeInto(obj, raw, schema);
            return obj;
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or FormatException or OverflowException)
        {
            throw ApiException.BadRequest($"failed to decode protobuf {kind}: {e.Message}");
        }
    }

    static void DecodeInto(JsonObject result, ReadOnlyMemory<byte> bytes, ProtoMessage schema)
    {
        var reader = new WireReader(bytes);
        while (reader.Next(out var number, out var wireType))
        {
            if (!schema.Fields.TryGetValue(number, out var field)) { reader.Skip(wireType); continue; }
            if (field.Type == ProtoType.Map)
            {
                var map = result[field.JsonName] as JsonObject ?? (JsonObject)(result[field.JsonName] = new JsonObject());
                var (key, value) = ReadMapEntry(reader.ReadBytes(), field);
                map[key] = value;
                continue;
            }
            if (field.Repeated)
            {
                var array = result[field.JsonName] as JsonArray ?? (JsonArray)(result[field.JsonName] = new JsonArray());
                if (wireType == 2 && field.Type is not (ProtoType.String or ProtoType.Bytes or ProtoType.Message))
                {
                    var packed = new WireReader(reader.ReadBytes());
                    while (packed.HasMore) array.Add(ReadValue(packed, field.Type, null));
                }
                else array.Add(ReadValue(reader, field.Type, field.MessageName));
                continue;
            }
            if (field.Inline)
            {
                DecodeInto(result, reader.ReadBytes(), Require(field.MessageName!));
                continue;
            }
            var node = ReadValue(reader, field.Type, field.MessageName);
            if (node is null || (!field.Optional && !field.Always && IsZero(field.Type, node))) result.Remove(field.JsonName);
            else result[field.JsonName] = node;
        }
    }

    static (string Key, JsonNode? Value) ReadMapEntry(ReadOnlyMemory<byte> bytes, ProtoField field)
    {
        var entry = new WireReader(bytes);
        string key = "";
        JsonNode? value = null;
        while (entry.Next(out var f, out var w))
        {
            if (f == 1) key = ReadValue(entry, ProtoType.String, null)!.GetValue<string>();
            else if (f == 2) value = ReadValue(entry, field.MapValueType, field.MapValueMessage);
            else entry.Skip(w);
        }
        value ??= field.MapValueType switch
        {
            ProtoType.Message => DecodeNamed(ReadOnlyMemory<byte>.Empty, field.MapValueMessage!),
            ProtoType.String or ProtoType.Bytes => "",
            ProtoType.Bool => false,
            _ => 0,
        };
        return (key, value);
    }

    static bool IsZero(ProtoType type, JsonNode node) => type switch
    {
        ProtoType.String or ProtoType.Bytes => node.GetValue<string>().Length == 0,
        ProtoType.Bool => !node.GetValue<bool>(),
        ProtoType.Int32 or ProtoType.SInt32 => node.GetValue<int>() == 0,
        ProtoType.Int64 or ProtoType.SInt64 => node.GetValue<long>() == 0,
        ProtoType.UInt32 => node.GetValue<uint>() == 0,
        ProtoType.UInt64 => node.GetValue<ulong>() == 0,
        ProtoType.Double => node.GetValue<double>() == 0,
        ProtoType.Float => node.GetValue<float>() == 0,
        _ => false, // a message is written only when the Go struct has one, and JSON prints an empty struct as {}
    };

    static JsonNode? ReadValue(WireReader reader, ProtoType type, string? message) => type switch
    {
        ProtoType.String => Encoding.UTF8.GetString(reader.ReadBytes().Span),
        ProtoType.Bytes => Convert.ToBase64String(reader.ReadBytes().Span),
        ProtoType.Bool => reader.ReadVarint() != 0,
        ProtoType.Int32 => (int)(long)reader.ReadVarint(),
        ProtoType.Int64 => (long)reader.ReadVarint(),
        ProtoType.UInt32 => (uint)reader.ReadVarint(),
        ProtoType.UInt64 => reader.ReadVarint(),
        ProtoType.SInt32 => (int)ZigZag(reader.ReadVarint()),
        ProtoType.SInt64 => ZigZag(reader.ReadVarint()),
        ProtoType.Double => BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64LittleEndian(reader.ReadFixed(8).Span)),
        ProtoType.Float => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(reader.ReadFixed(4).Span)),
        ProtoType.Message => DecodeNamed(reader.ReadBytes(), message!),
        _ => throw new FormatException($"unexpected field type {type}"),
    };

    static long ZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    static ProtoMessage Require(string name) =>
        ProtobufSchema.Message(name) ?? throw ApiException.UnsupportedMediaType($"application/vnd.kubernetes.protobuf ({name})");

    /// <summary>Messages whose JSON is not an object are known by name; the rest are walked by the table.</summary>
    static JsonNode? DecodeNamed(ReadOnlyMemory<byte> bytes, string name)
    {
        switch (name)
        {
            case Meta + "Time": return DecodeTime(bytes, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'");
            case Meta + "MicroTime": return DecodeTime(bytes, "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'Z'");
            case Meta + "Duration": return GoDuration(ScalarFields(bytes).GetValueOrDefault(1));
            case "k8s.io.apimachinery.pkg.api.resource.Quantity": return StringField(bytes, 1) ?? "";
            case "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
            {
                var scalars = ScalarFields(bytes);
                return scalars.GetValueOrDefault(1) == 1 ? StringField(bytes, 3) ?? "" : (JsonNode)(int)scalars.GetValueOrDefault(2);
            }
            case "k8s.io.apimachinery.pkg.runtime.RawExtension":
            case Meta + "FieldsV1":
            case Extensions + "JSON":
                return RawJson(bytes);
            case Extensions + "JSONSchemaPropsOrArray":
            {
                // JSONSchemaPropsOrArray.MarshalJSON: the array when it has schemas, else the one schema.
                var either = DecodeObject(bytes, name);
                return either["jSONSchemas"] is JsonArray { Count: > 0 } schemas ? schemas.DeepClone() : either["schema"]?.DeepClone();
            }
            case Extensions + "JSONSchemaPropsOrBool":
            {
                var either = DecodeObject(bytes, name);
                return either["schema"]?.DeepClone() ?? (JsonNode)(either["allows"]?.GetValue<bool>() ?? false);
            }
            case Extensions + "JSONSchemaPropsOrStringArray":
            {
                var either = DecodeObject(bytes, name);
                return either["property"] is JsonArray { Count: > 0 } property ? property.DeepClone() : either["schema"]?.DeepClone();
            }
        }
        var message = Require(name);
        if (message.Wrapper)
        {
            var items = new JsonObject();
            DecodeInto(items, bytes, message);
            return items["items"]?.DeepClone() ?? new JsonArray();
        }
        var result = new JsonObject();
        DecodeInto(result, bytes, message);
        return result;
    }

    static JsonObject DecodeObject(ReadOnlyMemory<byte> bytes, string name)
    {
        var result = new JsonObject();
        DecodeInto(result, bytes, Require(name));
        return result;
    }

    static JsonNode? DecodeTime(ReadOnlyMemory<byte> bytes, string format)
    {
        var scalars = ScalarFields(bytes);
        var seconds = (long)scalars.GetValueOrDefault(1);
        var nanos = (int)(long)scalars.GetValueOrDefault(2);
        if ((seconds == 0 && nanos == 0) || seconds == ZeroTimeSeconds) return null; // the zero time is null in JSON
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100);
        return time.UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
    }

    /// <summary>RawExtension and FieldsV1 hold JSON bytes (or, for RawExtension, a nested protobuf object).</summary>
    static JsonNode? RawJson(ReadOnlyMemory<byte> bytes)
    {
        var raw = BytesField(bytes, 1);
        if (raw.Length == 0) return null;
        if (raw.Span.StartsWith(Magic)) return Decode(raw.ToArray());
        try { return JsonNode.Parse(raw.Span); }
        catch (JsonException e) { throw new FormatException($"embedded object is not JSON: {e.Message}"); }
    }

    static Dictionary<int, ulong> ScalarFields(ReadOnlyMemory<byte> bytes)
    {
        var values = new Dictionary<int, ulong>();
        var reader = new WireReader(bytes);
        while (reader.Next(out var f, out var w))
        {
            if (w == 0) values[f] = reader.ReadVarint();
            else reader.Skip(w);
        }
        return values;
    }

    static ReadOnlyMemory<byte> BytesField(ReadOnlyMemory<byte> bytes, int number)
    {
        var reader = new WireReader(bytes);
        ReadOnlyMemory<byte> result = default;
        while (reader.Next(out var f, out var w))
        {
            if (f == number && w == 2) result = reader.ReadBytes();
            else reader.Skip(w);
        }
        return result;
    }

    static string? StringField(ReadOnlyMemory<byte> bytes, int number)
    {
        var value = BytesField(bytes, number);
        return value.IsEmpty ? null : Encoding.UTF8.GetString(value.Span);
    }

    /// <summary>Go's time.Duration.String(), which is how metav1.Duration marshals to JSON.</summary>
    internal static string GoDuration(ulong raw)
    {
        var nanos = (long)raw;
        if (nanos == 0) return "0s";
        var sign = nanos < 0 ? "-" : "";
        var u = (ulong)Math.Abs((decimal)nanos);
        static string Trim(decimal d) => d.ToString("0.#########", CultureInfo.InvariantCulture);
        if (u < 1_000) return $"{sign}{u}ns";
        if (u < 1_000_000) return $"{sign}{Trim(u / 1_000m)}µs";
        if (u < 1_000_000_000) return $"{sign}{Trim(u / 1_000_000m)}ms";
        var hours = u / 3_600_000_000_000;
        var minutes = u / 60_000_000_000 % 60;
        var seconds = Trim(u % 60_000_000_000 / 1_000_000_000m);
        return hours > 0 ? $"{sign}{hours}h{minutes}m{seconds}s" : minutes > 0 ? $"{sign}{minutes}m{seconds}s" : $"{sign}{seconds}s";
    }

    /// <summary>Protocol buffers wire format, just enough to walk fields.</summary>
    sealed class WireReader(ReadOnlyMemory<byte> data)
    {
        int _position;

        public bool HasMore => _position < data.Length;

        public bool Next(out int field, out int wireType)
        {
            field = wireType = 0;
            if (_position >= data.Length) return false;
            var tag = ReadVarint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                var b = data.Span[_position++];
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0) return result;
            }
            throw new FormatException("varint too long");
        }

        public ReadOnlyMemory<byte> ReadBytes()
        {
            var length = checked((int)ReadVarint());
            var slice = data.Slice(_position, length);
            _position += length;
            return slice;
        }

        public ReadOnlyMemory<byte> ReadFixed(int length)
        {
            var slice = data.Slice(_position, length);
            _position += length;
            return slice;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: ReadVarint(); break;
                case 1: ReadFixed(8); break;
                case 2: ReadBytes(); break;
                case 5: ReadFixed(4); break;
                default: throw new FormatException($"unsupported protobuf wire type {wireType}");
            }
        }
    }
}
