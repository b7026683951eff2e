using System.Text.Json;
using Cocktail.Application.KubernetesAudit;

namespace Cocktail.Infrastructure.KubernetesAudit;

/// <summary>
/// Reads an `audit.k8s.io/v1` EventList as a kube-apiserver's webhook backend posts it. A batch is taken whole or
/// refused whole: the first invalid event makes the whole batch a 400, so nothing half-stored needs undoing.
/// Which Cocktail user an identity belongs to is added afterwards (<see cref="GrantDirectory"/>).
/// </summary>
public static class AuditEventListParser
{
    public const int MaxEvents = 10_000;

    public static (IReadOnlyList<ParsedAuditEvent> Events, string? Error) Parse(Guid clusterId, ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return ([], "The body is not JSON.");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "kind") != "EventList" || Text(root, "apiVersion") != "audit.k8s.io/v1")
                return ([], "Expected an audit.k8s.io/v1 EventList.");
            if (!root.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Array)
                return ([], "The EventList has no items array.");
            if (items.GetArrayLength() > MaxEvents) return ([], $"At most {MaxEvents} events per batch.");

            var parsed = new List<ParsedAuditEvent>(items.GetArrayLength());
            var index = 0;
            foreach (var item in items.EnumerateArray())
            {
                var (record, error) = Read(clusterId, item);
                if (record is null) return ([], $"items[{index}]: {error}");
                parsed.Add(new ParsedAuditEvent(record, item.GetRawText()));
                index++;
            }
            return (parsed, null);
        }
    }

    private static (AuditRecord? Record, string? Error) Read(Guid clusterId, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) return (null, "not an object");
        if (!Guid.TryParse(Text(e, "auditID"), out var auditId)) return (null, "auditID is missing or not a UUID");
        var stage = Text(e, "stage");
        if (stage is not ("RequestReceived" or "ResponseStarted" or "ResponseComplete" or "Panic")) return (null, "stage is not a known stage");
        if (!DateTimeOffset.TryParse(Text(e, "requestReceivedTimestamp"), out var received)) return (null, "requestReceivedTimestamp is missing or not a time");
        DateTimeOffset? stageAt = DateTimeOffset.TryParse(Text(e, "stageTimestamp"), out var s) ? s : null;
        var verb = Text(e, "verb");
        if (string.IsNullOrEmpty(verb)) return (null, "verb is missing");
        if (!e.TryGetProperty("user", out var user) || Text(user, "username") is not { Length: > 0 } userName) return (null, "user.username is missing");
        var impersonated = e.TryGetProperty("impersonatedUser", out var imp) && imp.ValueKind == JsonValueKind.Object ? Text(imp, "username") : null;
        var objectRef = e.TryGetProperty("objectRef", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        int? code = e.TryGetProperty("responseStatus", out var status) && status.ValueKind == JsonValueKind.Object &&
                    status.TryGetProperty("code", out var c) && c.TryGetInt32(out var value) ? value : null;

        return (new AuditRecord(
            clusterId, auditId, stage, received.ToUniversalTime(), stageAt?.ToUniversalTime(), verb, userName, Strings(user, "groups"),
            impersonated, Strings(e, "sourceIPs"), Text(e, "userAgent"),
            Text(objectRef, "resource"), Text(objectRef, "subresource"), Text(objectRef, "namespace"), Text(objectRef, "name"),
            Text(objectRef, "apiGroup"), Text(objectRef, "apiVersion"), Text(e, "requestURI") ?? "", code, Text(e, "level") ?? "Metadata",
            null, null), null);
    }

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static IReadOnlyList<string> Strings(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList()
            : [];
}
