namespace Cocktail.KubeSim.Http.Protobuf;

internal enum ProtoType { String, Bytes, Bool, Int32, Int64, UInt32, UInt64, SInt32, SInt64, Double, Float, Message, Map }

/// <summary>How one protobuf field maps to a JSON field.</summary>
/// <remarks>
/// Go's protobuf encoding writes every non-pointer field, zero or not, while JSON omits empty ones; only fields
/// that are pointers in the Go types (<paramref name="Optional"/>) keep an explicit zero, and so do value fields
/// without omitempty (<paramref name="Always"/>), which Go's JSON writes at zero too. An <paramref name="Inline"/>
/// field is a Go struct embedded with <c>json:",inline"</c>: its fields land in the parent JSON object.
/// </remarks>
internal sealed record ProtoField(
    int Number, string JsonName, ProtoType Type, string? MessageName, bool Repeated, bool Optional, bool Inline, bool Always,
    ProtoType MapValueType = ProtoType.String, string? MapValueMessage = null);

/// <summary>One message; a <see cref="Wrapper"/> is a named Go slice (authentication's ExtraValue) whose JSON is its items.</summary>
internal sealed class ProtoMessage(string name, bool wrapper)
{
    public string Name => name;
    public bool Wrapper => wrapper;
    public Dictionary<int, ProtoField> Fields { get; } = [];
}

/// <summary>
/// The protobuf wire format of every built-in kind KubeSim serves, read from the embedded tables: the generated
/// <c>kubernetes.protoschema</c> (see <c>generate-schema.py</c>: kubectl's own descriptors for field numbers and
/// pointer fields, the OpenAPI documents for the served kinds and their JSON names) and
/// <c>kubernetes-supplement.protoschema</c> for the kinds newer than the kubectl the table was generated with.
/// </summary>
public static class ProtobufSchema
{
    sealed class Tables
    {
        public readonly Dictionary<string, ProtoMessage> Messages = new(StringComparer.Ordinal);
        public readonly Dictionary<(string ApiVersion, string Kind), string> Kinds = [];
    }

    static readonly Lazy<Tables> Loaded = new(Load);

    /// <summary>The (apiVersion, kind) pairs whose protobuf request bodies KubeSim decodes.</summary>
    public static IEnumerable<(string ApiVersion, string Kind)> Kinds => Loaded.Value.Kinds.Keys;

    /// <summary>Whether a protobuf body of this kind can be decoded, every message it reaches included.</summary>
    public static bool Covers(string apiVersion, string kind) => ForKind(apiVersion, kind) is { } m && MissingMessages(m).Count == 0;

    /// <summary>Messages reachable from <paramref name="root"/> that the tables lack (empty when complete).</summary>
    internal static List<string> MissingMessages(ProtoMessage root)
    {
        var missing = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<ProtoMessage>([root]);
        while (pending.TryPop(out var message))
        {
            if (!seen.Add(message.Name)) continue;
            foreach (var field in message.Fields.Values)
            {
                foreach (var name in new[] { field.MessageName, field.MapValueMessage })
                {
                    if (name is null) continue;
                    if (Message(name) is { } next) pending.Push(next);
                    else missing.Add(name);
                }
            }
        }
        return missing;
    }

    internal static ProtoMessage? Message(string name) => Loaded.Value.Messages.GetValueOrDefault(name);

    /// <summary>The JSON field names a message decodes to, inlined structs' fields included; null for an unknown message.</summary>
    public static IReadOnlySet<string>? JsonFieldNames(string messageName)
    {
        if (Message(messageName) is not { } message) return null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in message.Fields.Values)
        {
            if (field.Inline) names.UnionWith(JsonFieldNames(field.MessageName!) ?? new HashSet<string>());
            else names.Add(field.JsonName);
        }
        return names;
    }

    /// <summary>
    /// The message for a kind. DeleteOptions and the other meta kinds are registered in every group; a client may send
    /// them with any group's version, so a kind that maps to one message whatever the version is found by kind alone.
    /// </summary>
    internal static ProtoMessage? ForKind(string apiVersion, string kind)
    {
        var tables = Loaded.Value;
        if (tables.Kinds.TryGetValue((apiVersion, kind), out var name)) return Message(name);
        // Only apimachinery's own kinds: a custom resource named like a built-in kind must not borrow its message.
        var candidates = tables.Kinds.Where(k => k.Key.Kind == kind).Select(k => k.Value).Distinct().ToList();
        return candidates is [var only] && only.StartsWith("k8s.io.apimachinery.", StringComparison.Ordinal) ? Message(only) : null;
    }

    static Tables Load()
    {
        var tables = new Tables();
        var assembly = typeof(ProtobufSchema).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".protoschema", StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            Parse(reader, tables, resource);
        }
        return tables;
    }

    static void Parse(TextReader reader, Tables tables, string source)
    {
        ProtoMessage? current = null;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts[0])
            {
                case "kind":
                    tables.Kinds[(parts[1], parts[2])] = parts[3];
                    break;
                case "message":
                    // A message listed again (the supplement's newer fields) adds to the one already read.
                    if (!tables.Messages.TryGetValue(parts[1], out current))
                        tables.Messages[parts[1]] = current = new ProtoMessage(parts[1], parts.Skip(2).Contains("wrapper"));
                    break;
                default:
                    if (current is null || !int.TryParse(parts[0], out var number) || parts.Length < 3)
                        throw new FormatException($"{source}:{lineNumber}: cannot read '{line}'");
                    var flags = parts.Skip(3).ToHashSet(StringComparer.Ordinal);
                    var (type, message) = TypeOf(parts[2]);
                    var field = new ProtoField(number, parts[1], type, message, flags.Contains("repeated"), flags.Contains("optional"), flags.Contains("inline"), flags.Contains("always"));
                    if (parts[2].StartsWith("map<", StringComparison.Ordinal))
                    {
                        var value = parts[2][(parts[2].IndexOf(',') + 1)..^1];
                        var (valueType, valueMessage) = TypeOf(value);
                        field = field with { Type = ProtoType.Map, MessageName = null, MapValueType = valueType, MapValueMessage = valueMessage };
                    }
                    current.Fields[number] = field;
                    break;
            }
        }
    }

    static (ProtoType Type, string? Message) TypeOf(string text) => text switch
    {
        "string" => (ProtoType.String, null),
        "bytes" => (ProtoType.Bytes, null),
        "bool" => (ProtoType.Bool, null),
        "int32" => (ProtoType.Int32, null),
        "int64" => (ProtoType.Int64, null),
        "uint32" => (ProtoType.UInt32, null),
        "uint64" => (ProtoType.UInt64, null),
        "sint32" => (ProtoType.SInt32, null),
        "sint64" => (ProtoType.SInt64, null),
        "double" => (ProtoType.Double, null),
        "float" => (ProtoType.Float, null),
        _ when text.StartsWith("map<", StringComparison.Ordinal) => (ProtoType.Map, null),
        _ => (ProtoType.Message, text),
    };
}
