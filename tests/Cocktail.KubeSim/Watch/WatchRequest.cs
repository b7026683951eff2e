using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Watch;

/// <summary>A watch as asked for in the query string.</summary>
public sealed record WatchRequest(ResourceType Type, string? Namespace, ListOptions Filter)
{
    public string? ResourceVersion { get; init; }
    public bool AllowBookmarks { get; init; }
    public bool SendInitialEvents { get; init; }
    public TimeSpan Timeout { get; init; }

    /// <summary>Fault injection: answer as if the resourceVersion had been compacted away.</summary>
    public bool ForceExpired { get; init; }
}
