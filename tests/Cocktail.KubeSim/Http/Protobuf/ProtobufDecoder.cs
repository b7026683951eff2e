using System.Text;
using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Http.Protobuf;

/// <summary>
/// Decodes the apiserver's protobuf envelope ("k8s\0" + runtime.Unknown{typeMeta, raw}) into the JSON the rest of
/// KubeSim works with, for the kinds in <see cref="ProtobufSchema"/>. Others get 415 like an unknown media type.
/// </summary>
internal static class ProtobufDecoder
{
    static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(Magic))
            throw ApiException.BadRequest("provided object is not a valid protobuf envelope");
        string apiVersion = "", kind = "";
        byte[] raw = [];
        var reader = new WireReader(body.AsMemory(4));
        while (reader.Next(out var field, out var wireType))
        {
            switch (field)
            {
                case 1:
                    var typeMeta = new WireReader(reader.ReadBytes());
                    while (typeMeta.Next(out var f, out _))
                    {
                        var s = Encoding.UTF8.GetString(typeMeta.ReadBytes().Span);
                        if (f == 1) apiVersion = s; else if (f == 2) kind = s;
                    }
                    break;
                case 2: raw = reader.ReadBytes().ToArray(); break;
                default: reader.Skip(wireType); break;
            }
        }
        if (!ProtobufSchema.ByKind.TryGetValue($"{apiVersion} {kind}", out var schema) && !ProtobufSchema.ByKind.TryGetValue(kind, out schema))
            throw ApiException.UnsupportedMediaType($"application/vnd.kubernetes.protobuf ({kind})");
        var obj = DecodeMessage(raw, schema);
        return new JsonObject(new[] { KeyValuePair.Create("apiVersion", (JsonNode?)apiVersion), KeyValuePair.Create("kind", (JsonNode?)kind) }
            .Concat(obj.Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))));
    }

    static JsonObject DecodeMessage(ReadOnlyMemory<byte> bytes, ProtoMessage schema)
    {
        var result = new JsonObject();
        var reader = new WireReader(bytes);
        while (reader.Next(out var number, out var wireType))
        {
            if (!schema.Fields.TryGetValue(number, out var field)) { reader.Skip(wireType); continue; }
            JsonNode? value = field.Kind switch
            {
                ProtoKind.String => Encoding.UTF8.GetString(reader.ReadBytes().Span),
                ProtoKind.Bytes => Convert.ToBase64String(reader.ReadBytes().Span),
                ProtoKind.Int64 => (long)reader.ReadVarint(),
                ProtoKind.Int32 => (int)reader.ReadVarint(),
                ProtoKind.Bool => reader.ReadVarint() != 0,
                ProtoKind.Message => DecodeMessage(reader.ReadBytes(), field.Message!),
                ProtoKind.IntOrString => DecodeIntOrString(reader.ReadBytes()),
                ProtoKind.StringMap or ProtoKind.BytesMap => null,
                _ => null,
            };
            if (field.Kind is ProtoKind.StringMap or ProtoKind.BytesMap)
            {
                var map = result[field.Name] as JsonObject ?? (JsonObject)(result[field.Name] = new JsonObject());
                var entry = new WireReader(reader.ReadBytes());
                string key = "";
                JsonNode? entryValue = null;
                while (entry.Next(out var f, out _))
                {
                    var data = entry.ReadBytes();
                    if (f == 1) key = Encoding.UTF8.GetString(data.Span);
                    else entryValue = field.Kind == ProtoKind.BytesMap ? Convert.ToBase64String(data.Span) : Encoding.UTF8.GetString(data.Span);
                }
                map[key] = entryValue ?? "";
                continue;
            }
            if (!field.Repeated && !field.Pointer && value is JsonValue scalar && IsZero(scalar)) continue;
            if (field.Repeated)
            {
                var array = result[field.Name] as JsonArray ?? (JsonArray)(result[field.Name] = new JsonArray());
                array.Add(value);
            }
            else result[field.Name] = value;
        }
        return result;
    }

    static bool IsZero(JsonValue value) =>
        (value.TryGetValue<string>(out var s) && s.Length == 0) ||
        (value.TryGetValue<long>(out var l) && l == 0) ||
        (value.TryGetValue<int>(out var i) && i == 0) ||
        (value.TryGetValue<bool>(out var b) && !b);

    /// <summary>intstr.IntOrString: {type = 1 (0 int, 1 string), intVal = 2, strVal = 3}.</summary>
    static JsonNode? DecodeIntOrString(ReadOnlyMemory<byte> bytes)
    {
        var reader = new WireReader(bytes);
        long type = 0, intValue = 0;
        string text = "";
        while (reader.Next(out var field, out var wireType))
        {
            switch (field)
            {
                case 1: type = (long)reader.ReadVarint(); break;
                case 2: intValue = (long)reader.ReadVarint(); break;
                case 3: text = Encoding.UTF8.GetString(reader.ReadBytes().Span); break;
                default: reader.Skip(wireType); break;
            }
        }
        return type == 1 ? JsonValue.Create(text) : JsonValue.Create(intValue);
    }

    /// <summary>Protocol buffers wire format, just enough to walk fields.</summary>
    sealed class WireReader(ReadOnlyMemory<byte> data)
    {
        int _position;

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
            var shift = 0;
            while (true)
            {
                var b = data.Span[_position++];
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0) return result;
                shift += 7;
            }
        }

        public ReadOnlyMemory<byte> ReadBytes()
        {
            var length = (int)ReadVarint();
            var slice = data.Slice(_position, length);
            _position += length;
            return slice;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: ReadVarint(); break;
                case 1: _position += 8; break;
                case 2: ReadBytes(); break;
                case 5: _position += 4; break;
                default: throw ApiException.BadRequest($"unsupported protobuf wire type {wireType}");
            }
        }
    }
}
