using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Application.KubernetesAudit.Ingesting;

namespace Cocktail.Infrastructure.KubernetesAudit;

/// <summary>
/// Reads an `audit.k8s.io/v1` EventList as a kube-apiserver's webhook backend posts it. A batch is taken whole or
/// refused whole: the first invalid event makes the whole batch a 400, so nothing half-stored needs undoing.
/// Which Cocktail user an identity belongs to is added afterwards (<see cref="GrantDirectory"/>).
/// </summary>
/// <remarks>
/// One forward pass of a <see cref="Utf8JsonReader"/> over the body as received: no copy of the body, no document
/// tree, and per event only the strings of its columns. Its raw text stays a slice of the body, UTF-8 as PostgreSQL
/// stores it, rather than a string decoded here and encoded again for the COPY. Batches arrive at thousands of events
/// per second, and this parse is most of Cocktail's own work on them.
/// </remarks>
public sealed class AuditEventListParser : IAuditEventListParser
{
    public (IReadOnlyList<ParsedAuditEvent> Events, string? Error) Read(Guid clusterId, ReadOnlyMemory<byte> body) => Parse(clusterId, body);

    public const int MaxEvents = 10_000;

    private const string NotEventList = "Expected an audit.k8s.io/v1 EventList.";
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 64 };
    private static readonly string[] Stages = ["ResponseComplete", "ResponseStarted", "RequestReceived", "Panic"];
    private static readonly string[] Levels = ["Metadata", "Request", "RequestResponse", "None"];
    private static readonly string[] Verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "post", "put", "head", "options"];
    private static readonly string[] Versions = ["v1", "v1beta1", "v2"];

    public static (IReadOnlyList<ParsedAuditEvent> Events, string? Error) Parse(Guid clusterId, ReadOnlyMemory<byte> body)
    {
        try
        {
            return ParseList(clusterId, body);
        }
        catch (JsonException)
        {
            return ([], "The body is not JSON.");
        }
    }

    private static (IReadOnlyList<ParsedAuditEvent> Events, string? Error) ParseList(Guid clusterId, ReadOnlyMemory<byte> body)
    {
        var reader = new Utf8JsonReader(body.Span, Options);
        if (!reader.Read()) throw new JsonException("empty");
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            EnsureEnd(ref reader);
            return ([], NotEventList);
        }

        string? kind = null, apiVersion = null, itemError = null;
        List<ParsedAuditEvent>? items = null;
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("kind"u8)) kind = ReadText(ref reader);
            else if (reader.ValueTextEquals("apiVersion"u8)) apiVersion = ReadText(ref reader);
            else if (reader.ValueTextEquals("items"u8)) (items, count, itemError) = ReadItems(clusterId, body, ref reader);
            else SkipValue(ref reader);
        }
        EnsureEnd(ref reader);

        if (kind != "EventList" || apiVersion != "audit.k8s.io/v1") return ([], NotEventList);
        if (items is null) return ([], "The EventList has no items array.");
        if (count > MaxEvents) return ([], $"At most {MaxEvents} events per batch.");
        return itemError is null ? (items, null) : ([], itemError);
    }

    /// <summary>Every item is read to the end (the body must be JSON throughout); the first invalid one is the error.</summary>
    private static (List<ParsedAuditEvent>? Items, int Count, string? Error) ReadItems(Guid clusterId, ReadOnlyMemory<byte> body, ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return (null, 0, null);
        }
        var items = new List<ParsedAuditEvent>(400);
        string? error = null;
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (error is not null || index >= MaxEvents)
            {
                reader.Skip();
            }
            else if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                error = $"items[{index}]: not an object";
            }
            else
            {
                var start = (int)reader.TokenStartIndex;
                var (record, problem) = ReadEvent(clusterId, ref reader);
                if (record is null) error = $"items[{index}]: {problem}";
                else items.Add(new ParsedAuditEvent(record, Raw(body[start..(int)reader.BytesConsumed])));
            }
            index++;
        }
        return (items, index, error);
    }

    /// <summary>
    /// The event's own bytes. PostgreSQL refuses text that is not UTF-8, which a string never was: an invalid sequence
    /// is replaced (U+FFFD), as decoding it into a string did.
    /// </summary>
    private static ReadOnlyMemory<byte> Raw(ReadOnlyMemory<byte> json) =>
        Utf8.IsValid(json.Span) ? json : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json.Span));

    private ref struct EventFields
    {
        public Guid? AuditId;
        public string? Stage, Verb, User, Impersonated, UserAgent, RequestUri, Level;
        public string? Resource, Subresource, Namespace, Name, ApiGroup, ApiVersion;
        public DateTimeOffset? Received, StageAt;
        public IReadOnlyList<string> Groups, SourceIps;
        public int? Code;
    }

    private static (AuditRecord? Record, string? Error) ReadEvent(Guid clusterId, ref Utf8JsonReader reader)
    {
        var e = new EventFields { Groups = [], SourceIps = [] };
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("auditID"u8)) e.AuditId = ReadGuid(ref reader);
            else if (reader.ValueTextEquals("stage"u8)) e.Stage = ReadKnown(ref reader, Stages);
            else if (reader.ValueTextEquals("requestReceivedTimestamp"u8)) e.Received = ReadTime(ref reader);
            else if (reader.ValueTextEquals("stageTimestamp"u8)) e.StageAt = ReadTime(ref reader);
            else if (reader.ValueTextEquals("verb"u8)) e.Verb = ReadKnown(ref reader, Verbs);
            else if (reader.ValueTextEquals("user"u8)) ReadUser(ref reader, ref e, impersonated: false);
            else if (reader.ValueTextEquals("impersonatedUser"u8)) ReadUser(ref reader, ref e, impersonated: true);
            else if (reader.ValueTextEquals("sourceIPs"u8)) e.SourceIps = ReadStrings(ref reader);
            else if (reader.ValueTextEquals("userAgent"u8)) e.UserAgent = ReadText(ref reader);
            else if (reader.ValueTextEquals("objectRef"u8)) ReadObjectRef(ref reader, ref e);
            else if (reader.ValueTextEquals("requestURI"u8)) e.RequestUri = ReadText(ref reader);
            else if (reader.ValueTextEquals("responseStatus"u8)) e.Code = ReadCode(ref reader);
            else if (reader.ValueTextEquals("level"u8)) e.Level = ReadKnown(ref reader, Levels);
            else SkipValue(ref reader);
        }

        if (e.AuditId is not { } auditId) return (null, "auditID is missing or not a UUID");
        if (e.Stage is not ("RequestReceived" or "ResponseStarted" or "ResponseComplete" or "Panic")) return (null, "stage is not a known stage");
        if (e.Received is not { } received) return (null, "requestReceivedTimestamp is missing or not a time");
        if (string.IsNullOrEmpty(e.Verb)) return (null, "verb is missing");
        if (string.IsNullOrEmpty(e.User)) return (null, "user.username is missing");

        return (new AuditRecord(
            clusterId, auditId, e.Stage, received.ToUniversalTime(), e.StageAt?.ToUniversalTime(), e.Verb, e.User, e.Groups, e.Impersonated,
            e.SourceIps, e.UserAgent, e.Resource, e.Subresource, e.Namespace, e.Name, e.ApiGroup, e.ApiVersion, e.RequestUri ?? "", e.Code,
            e.Level ?? "Metadata", null, null), null);
    }

    private static void ReadUser(ref Utf8JsonReader reader, ref EventFields e, bool impersonated)
    {
        if (!StartObject(ref reader)) return;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("username"u8))
            {
                var name = ReadText(ref reader);
                if (impersonated) e.Impersonated = name;
                else e.User = name;
            }
            else if (!impersonated && reader.ValueTextEquals("groups"u8)) e.Groups = ReadStrings(ref reader);
            else SkipValue(ref reader);
        }
    }

    private static void ReadObjectRef(ref Utf8JsonReader reader, ref EventFields e)
    {
        if (!StartObject(ref reader)) return;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("resource"u8)) e.Resource = ReadText(ref reader);
            else if (reader.ValueTextEquals("subresource"u8)) e.Subresource = ReadText(ref reader);
            else if (reader.ValueTextEquals("namespace"u8)) e.Namespace = ReadText(ref reader);
            else if (reader.ValueTextEquals("name"u8)) e.Name = ReadText(ref reader);
            else if (reader.ValueTextEquals("apiGroup"u8)) e.ApiGroup = ReadText(ref reader);
            else if (reader.ValueTextEquals("apiVersion"u8)) e.ApiVersion = ReadKnown(ref reader, Versions);
            else SkipValue(ref reader);
        }
    }

    private static int? ReadCode(ref Utf8JsonReader reader)
    {
        if (!StartObject(ref reader)) return null;
        int? code = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)) code = value;
                else reader.Skip();
            }
            else SkipValue(ref reader);
        }
        return code;
    }

    /// <summary>Moves to the value; true when it is an object to read property by property, else skips it.</summary>
    private static bool StartObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject) return true;
        reader.Skip();
        return false;
    }

    /// <summary>A string value; null for any other kind of value, as for a missing one.</summary>
    private static string? ReadText(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        reader.Skip();
        return null;
    }

    /// <summary>Like <see cref="ReadText"/>, without allocating for the few values every event repeats.</summary>
    private static string? ReadKnown(ref Utf8JsonReader reader, string[] known)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }
        foreach (var value in known)
            if (reader.ValueTextEquals(value)) return value;
        return reader.GetString();
    }

    private static Guid? ReadGuid(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }
        return reader.TryGetGuid(out var id) || Guid.TryParse(reader.GetString(), out id) ? id : null;
    }

    private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }
        return reader.TryGetDateTimeOffset(out var at) ||
               DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at)
            ? at
            : null;
    }

    /// <summary>The strings of an array (other elements ignored); empty when the value is not an array.</summary>
    private static IReadOnlyList<string> ReadStrings(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return [];
        }
        List<string>? values = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String) (values ??= new List<string>(4)).Add(reader.GetString()!);
            else reader.Skip();
        }
        return values ?? (IReadOnlyList<string>)[];
    }

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    /// <summary>Nothing but whitespace may follow the root value (the reader throws on anything else).</summary>
    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read()) throw new JsonException("More than one JSON value.");
    }
}
