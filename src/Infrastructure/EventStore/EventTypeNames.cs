namespace Cocktail.Infrastructure.EventStore;

/// <summary>Marten stores an event's type as a snake_case alias; the audit trail speaks the records' own names.</summary>
public static class EventTypeNames
{
    /// <summary>Events renamed since they were first stored keep their first alias (mapped in their capability's Configuration).</summary>
    private static readonly Dictionary<string, string> Renamed = new()
    {
        [nameof(Domain.Clusters.ClusterCredentialExpiryWarned)] = Domain.Clusters.ClusterCredentialExpiryWarned.StoredName,
    };

    public static string ToAlias(string name) =>
        Renamed.TryGetValue(name, out var stored) ? stored
        : name.Contains('_') || name.All(c => !char.IsUpper(c))
            ? name
            : string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public static string? FromDotNetType(string? assemblyQualifiedName)
    {
        if (string.IsNullOrEmpty(assemblyQualifiedName)) return null;
        var typeName = assemblyQualifiedName.Split(',')[0];
        var lastDot = typeName.LastIndexOfAny(['.', '+']);
        return lastDot < 0 ? typeName : typeName[(lastDot + 1)..];
    }
}
