using System.Text.Json;
using System.Text.Json.Serialization;
using Marten;

namespace Cocktail.Application.Audit.Describing;

/// <summary>
/// Puts a summary, the object's kind and its name on audit entries: each event is read back as its record, its
/// summary asked for the names it lacks, those loaded from the read models in one query per kind, then written.
/// </summary>
public static class AuditDescriber
{
    /// <summary>As Marten stores events: camelCase, enums by name.</summary>
    public static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static object? ReadEvent(AuditEntry entry)
    {
        if (AuditDescriptions.Find(entry.Type) is not { } type) return null;
        try
        {
            return entry.Data.Deserialize(type, EventJson);
        }
        catch (JsonException)
        {
            // An event stored in a shape its record no longer reads is shown without a summary, not as an error.
            return null;
        }
    }

    public static async Task<IReadOnlyList<AuditEntry>> DescribeAsync(IReadOnlyList<AuditEntry> entries, IQuerySession session, CancellationToken ct)
    {
        var events = entries.Select(ReadEvent).ToList();
        var wanted = new NameRequests();
        foreach (var e in events.OfType<object>()) AuditDescriptions.Describe(e, wanted);
        var names = await AuditNames.LoadAsync(session, wanted, ct);
        return entries.Select((entry, i) => Describe(entry, events[i], names)).ToList();
    }

    public static AuditEntry Describe(AuditEntry entry, object? @event, IAuditNames names) =>
        @event is not null && AuditDescriptions.Describe(@event, names) is { } d
            ? entry with { Summary = d.Summary, ObjectKind = d.ObjectKind, ObjectName = d.ObjectName }
            : entry with { Summary = entry.Type };
}
