using Cocktail.Application.Common;
using Cocktail.Domain.Charts;

namespace Cocktail.Application.Charts;

/// <summary>One version of one chart in one repository (an <c>oci://</c> URL or an HTTP(S) URL whose <c>index.yaml</c> lists it).</summary>
public sealed record ChartReference(string RepositoryUrl, ChartRepositoryKind Kind, string Chart, string Version);

/// <summary>
/// What Cocktail reads from a chart package: <c>Chart.yaml</c>'s metadata, the default <c>values.yaml</c> as written,
/// <c>values.schema.json</c> when the chart has one, and its README. Templates are never read: Flux renders them.
/// </summary>
public sealed record ChartPackage(
    string Name, string Version, string? AppVersion, string? Description, string? KubeVersion, string? Icon,
    IReadOnlyList<string> Keywords, string DefaultValuesYaml, string? ValuesSchemaJson, string? Readme, string Digest);

/// <summary>One version of a chart as a repository's index lists it.</summary>
public sealed record ChartIndexEntry(
    string Chart, string Version, string? AppVersion, string? Description, string? KubeVersion, string? Icon,
    IReadOnlyList<string> Keywords, string? Digest, DateTimeOffset? Created, bool Deprecated);

/// <summary>What a repository serves: every chart version it lists (for OCI, the tags of the repositories asked for).</summary>
public sealed record ChartIndex(string RepositoryUrl, ChartRepositoryKind Kind, IReadOnlyList<ChartIndexEntry> Entries, string Digest);

/// <summary>
/// Reads chart repositories' indexes over the network, bounded (size, depth, aliases). NotFound: the URL answers
/// 404; Unavailable: it does not answer; Invalid: what it serves is not an index.
/// </summary>
public interface IChartIndexes
{
    /// <param name="charts">For OCI repositories, which have no index: the chart names whose tags to list.</param>
    Task<Result<ChartIndex>> GetAsync(string repositoryUrl, ChartRepositoryKind kind, IReadOnlyList<string>? charts, CancellationToken ct);
}

/// <summary>
/// Fetches and reads chart packages (<c>.tgz</c>), bounded (compressed and expanded size, entry count, no path
/// escaping the chart's folder), cached by digest. NotFound: no such chart or version; Unavailable: the repository
/// does not answer; Invalid: the package is not a chart or is over the bounds.
/// </summary>
public interface IChartPackages
{
    Task<Result<ChartPackage>> GetAsync(ChartReference reference, CancellationToken ct);
}
