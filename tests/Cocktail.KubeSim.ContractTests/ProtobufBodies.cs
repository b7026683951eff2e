using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http.Protobuf;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>KubeSim's protobuf request decoding, on bytes built here with the wire format Go's clients write.</summary>
public sealed class ProtobufBodies
{
    [Fact]
    public void every_built_in_kind_KubeSim_serves_has_a_protobuf_schema()
    {
        var kinds = BuiltinResources.All
            .Select(t => (t.GroupVersion, t.Kind))
            .Concat(BuiltinResources.All.SelectMany(t => t.Subresources.Values)
                .Where(s => s.Kind.Length > 0)
                .Select(s => (s.Group.Length == 0 ? s.Version : $"{s.Group}/{s.Version}", s.Kind)))
            .Distinct()
            .ToList();
        Assert.True(kinds.Count > 60, $"only {kinds.Count} kinds found");
        var missing = kinds.Where(k => !ProtobufSchema.Covers(k.Item1, k.Item2)).Select(k => $"{k.Item1} {k.Item2}").ToList();
        Assert.True(missing.Count == 0, "no protobuf schema for: " + string.Join(", ", missing));
    }

    /// <summary>Messages whose JSON is a scalar or raw JSON: the decoder knows them by name.</summary>
    static readonly HashSet<string> DecodedByName =
    [
        "io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime", "io.k8s.apimachinery.pkg.apis.meta.v1.Duration",
        "io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        "io.k8s.apimachinery.pkg.runtime.RawExtension", "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
    ];

    [Fact]
    public void every_field_the_served_openapi_schemas_declare_has_a_protobuf_field()
    {
        var schemas = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        foreach (var (path, file) in OpenApiDocuments.FilesByPath)
        {
            var served = path.Split('/') switch
            {
                ["api", "v1"] => true,
                ["apis", var g, var v] => BuiltinResources.IsServedGroupVersion(g, v),
                _ => false,
            };
            if (!served) continue;
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var schema in document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject())
            {
                schemas.TryAdd(schema.Name, schema.Value.Clone());
                if (schema.Value.TryGetProperty("x-kubernetes-group-version-kind", out var gvks) &&
                    gvks.EnumerateArray().Any(k => BuiltinResources.IsServedGroupVersion(k.GetProperty("group").GetString()!, k.GetProperty("version").GetString()!)))
                    pending.Push(schema.Name);
            }
        }
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        while (pending.TryPop(out var name))
        {
            if (!reached.Add(name) || !schemas.TryGetValue(name, out var schema)) continue;
            foreach (var reference in References(schema)) pending.Push(reference);
            if (DecodedByName.Contains(name) || !schema.TryGetProperty("properties", out var properties)) continue;
            var message = "k8s.io." + name["io.k8s.".Length..];
            var fields = ProtobufSchema.JsonFieldNames(message);
            if (fields is null)
            {
                missing.Add(message);
                continue;
            }
            missing.AddRange(properties.EnumerateObject().Select(p => p.Name)
                .Where(p => p is not ("apiVersion" or "kind") && !fields.Contains(p))
                .Select(p => $"{message}.{p}"));
        }
        Assert.True(reached.Count > 500, $"only {reached.Count} schemas reached");
        Assert.True(missing.Count == 0, "no protobuf field for: " + string.Join(", ", missing));
    }

    static IEnumerable<string> References(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "$ref" && property.Value.ValueKind == JsonValueKind.String)
                        yield return property.Value.GetString()!.Split('/')[^1];
                    else
                        foreach (var nested in References(property.Value)) yield return nested;
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    foreach (var nested in References(item)) yield return nested;
                break;
        }
    }

    [Fact]
    public void value_fields_at_zero_are_left_out_and_pointer_fields_keep_an_explicit_zero()
    {
        // apps/v1 Deployment{metadata{name, creationTimestamp = Go's zero time}, spec{replicas = 0 (a *int32),
        // minReadySeconds = 0 and paused = false (values, which Go always writes), template{}}}
        var zeroTime = Message(Varint(1, unchecked((ulong)-62135596800L)));
        var metadata = Message(Text(1, "web"), Text(3, ""), Bytes(8, zeroTime));
        var spec = Message(Varint(1, 0), Varint(5, 0), Varint(7, 0), Bytes(3, Message(Bytes(1, Message()))));
        var obj = ProtobufDecoder.Decode(Envelope("apps/v1", "Deployment", Message(Bytes(1, metadata), Bytes(2, spec))));

        Assert.Equal("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":0,"template":{"metadata":{}}}}""",
            obj.ToJsonString());
    }

    [Fact]
    public void value_fields_without_omitempty_are_written_at_zero_as_gos_json_does()
    {
        // scheduling.k8s.io/v1 PriorityClass{value = 2 (int32, json:"value"), globalDefault = 3 (bool, omitempty)}
        var priorityClass = ProtobufDecoder.Decode(Envelope("scheduling.k8s.io/v1", "PriorityClass", Message(
            Bytes(1, Message(Text(1, "idle"))), Varint(2, 0), Varint(3, 0))));
        Assert.Equal("""{"apiVersion":"scheduling.k8s.io/v1","kind":"PriorityClass","metadata":{"name":"idle"},"value":0}""",
            priorityClass.ToJsonString());
    }

    [Fact]
    public void bytes_quantities_int_or_strings_times_and_maps_decode_as_their_json_forms()
    {
        var secret = ProtobufDecoder.Decode(Envelope("v1", "Secret", Message(
            Bytes(1, Message(Text(1, "login"), Bytes(8, Message(Varint(1, 1767225600), Varint(2, 500_000_000))))),
            Bytes(2, Message(Text(1, "password"), Bytes(2, "s3cr3t"u8.ToArray()))),
            Text(3, "Opaque"),
            Varint(5, 0))));
        Assert.Equal("czNjcjN0", secret["data"]!["password"]!.GetValue<string>());
        Assert.Equal("2026-01-01T00:00:00Z", secret["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.False(secret["immutable"]!.GetValue<bool>()); // *bool set to false stays

        // policy/v1 PodDisruptionBudget: minAvailable = IntOrString{type 0, intVal 2}, maxUnavailable = {type 1, strVal "50%"}
        var pdb = ProtobufDecoder.Decode(Envelope("policy/v1", "PodDisruptionBudget", Message(
            Bytes(2, Message(Bytes(1, Message(Varint(1, 0), Varint(2, 2))), Bytes(3, Message(Varint(1, 1), Text(3, "50%"))))))));
        Assert.Equal(2, pdb["spec"]!["minAvailable"]!.GetValue<int>());
        Assert.Equal("50%", pdb["spec"]!["maxUnavailable"]!.GetValue<string>());

        // v1 ResourceQuota: spec.hard is map<string, Quantity{string = 1}>
        var quota = ProtobufDecoder.Decode(Envelope("v1", "ResourceQuota", Message(
            Bytes(2, Message(Bytes(1, Message(Text(1, "requests.cpu"), Bytes(2, Message(Text(1, "500m"))))))))));
        Assert.Equal("""{"requests.cpu":"500m"}""", quota["spec"]!["hard"]!.ToJsonString());

        // authentication/v1 TokenReview status.user.extra is map<string, ExtraValue{repeated items = 1}>: arrays in JSON
        var review = ProtobufDecoder.Decode(Envelope("authentication.k8s.io/v1", "TokenReview", Message(
            Bytes(3, Message(Bytes(2, Message(Bytes(4, Message(Text(1, "scopes"), Bytes(2, Message(Text(1, "a"), Text(1, "b"))))))))))));
        Assert.Equal("""{"scopes":["a","b"]}""", review["status"]!["user"]!["extra"]!.ToJsonString());
    }

    [Fact]
    public void inlined_go_structs_land_in_the_parent_object()
    {
        // v1 Pod spec.volumes[0] = Volume{name = 1, VolumeSource (inline) = 2 {emptyDir = 2 {}}}
        var pod = ProtobufDecoder.Decode(Envelope("v1", "Pod", Message(
            Bytes(2, Message(Bytes(1, Message(Text(1, "scratch"), Bytes(2, Message(Bytes(2, Message()))))))))));
        Assert.Equal("""[{"name":"scratch","emptyDir":{}}]""", pod["spec"]!["volumes"]!.ToJsonString());
    }

    [Fact]
    public void a_custom_resource_definitions_schema_keeps_its_json_schema_shapes()
    {
        // JSONSchemaProps{type = 5, default = 8 JSON{raw = 1}, properties = 29 map, additionalProperties = 30
        // OrBool{allows = 1}, x-kubernetes-preserve-unknown-fields = 38 (a *bool)}
        var replicas = Message(Text(5, "integer"), Bytes(8, Message(Bytes(1, "3"u8.ToArray()))));
        var schema = Message(Text(5, "object"), Bytes(29, Message(Text(1, "replicas"), Bytes(2, replicas))),
            Bytes(30, Message(Varint(1, 0))), Varint(38, 0));
        var version = Message(Text(1, "v1"), Varint(2, 1), Varint(3, 1), Bytes(4, Message(Bytes(1, schema))));
        var crd = ProtobufDecoder.Decode(Envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", Message(
            Bytes(2, Message(Text(1, "example.com"), Text(4, "Namespaced"), Bytes(7, version))))));
        Assert.Equal(
            """{"type":"object","properties":{"replicas":{"type":"integer","default":3}},"additionalProperties":false,"x-kubernetes-preserve-unknown-fields":false}""",
            crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.ToJsonString());
        Assert.True(crd["spec"]!["versions"]![0]!["served"]!.GetValue<bool>());
    }

    [Fact]
    public void an_unknown_kind_is_refused_as_an_unsupported_media_type()
    {
        var e = Assert.Throws<Http.ApiException>(() => ProtobufDecoder.Decode(Envelope("example.com/v1", "Widget", Message())));
        Assert.Equal(415, e.Code);
        // A custom resource has no protobuf form even when its kind is named like a built-in one.
        e = Assert.Throws<Http.ApiException>(() => ProtobufDecoder.Decode(Envelope("example.com/v1", "Deployment", Message())));
        Assert.Equal(415, e.Code);
    }

    static byte[] Envelope(string apiVersion, string kind, byte[] raw) =>
        [.. "k8s\0"u8.ToArray(), .. Message(Bytes(1, Message(Text(1, apiVersion), Text(2, kind))), Bytes(2, raw))];

    static byte[] Message(params byte[][] fields) => [.. fields.SelectMany(f => f)];

    static byte[] Text(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    static byte[] Bytes(int field, byte[] value) => [.. EncodeVarint((ulong)(field << 3 | 2)), .. EncodeVarint((ulong)value.Length), .. value];

    static byte[] Varint(int field, ulong value) => [.. EncodeVarint((ulong)(field << 3)), .. EncodeVarint(value)];

    static byte[] EncodeVarint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        } while (value != 0);
        return [.. bytes];
    }
}
