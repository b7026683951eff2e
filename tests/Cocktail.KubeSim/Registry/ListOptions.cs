using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Registry;

/// <summary>The query of a list or watch: selectors, paging, and the resourceVersion semantics asked for.</summary>
public sealed record ListOptions
{
    public LabelSelector Labels { get; init; } = LabelSelector.Everything;
    public FieldSelector? Fields { get; init; }
    public long Limit { get; init; }
    public string? Continue { get; init; }
    public string? ResourceVersion { get; init; }
    public string? ResourceVersionMatch { get; init; }
}
