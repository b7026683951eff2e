using System.Text.Json.Nodes;
using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using Cocktail.Domain.Common;
using Marten;

namespace Cocktail.Application.Releases;

/// <summary>A chart version read and the values checked against it, ready to record.</summary>
public sealed record PreparedValues(ChartPackage Package, JsonObject Values);

/// <summary>
/// The write side of chart releases: values read and checked against the chart's schema before anything is recorded
/// (as helm-controller will: the chart's defaults merged with the overrides, then validated), and the stream
/// loaded, decided, appended.
/// </summary>
public static class ChartReleases
{
    public const string NotFound = "No such release.";
    public const int MaxValuesYaml = 256 * 1024;

    /// <summary>
    /// Reads the chart version (an unknown version or chart is a field error on <c>version</c>), parses the values YAML
    /// (<paramref name="current"/> when none is given) and validates defaults+values against the chart's
    /// <c>values.schema.json</c> when it has one: field errors keyed <c>values.&lt;path&gt;</c>.
    /// </summary>
    public static async Task<Result<PreparedValues>> PrepareAsync(ChartSource source, string version, string? valuesYaml, JsonObject? current,
        IChartPackages packages, IChartValues values, CancellationToken ct)
    {
        JsonObject overrides;
        if (valuesYaml is null) overrides = current is null ? [] : (JsonObject)current.DeepClone();
        else
        {
            var parsed = values.Parse(valuesYaml);
            if (parsed.Failure is { } bad) return bad;
            overrides = parsed.Value!;
        }
        var package = await packages.GetAsync(new ChartReference(source.RepositoryUrl, source.Kind, source.Chart, version.Trim()), ct);
        if (package.Failure is { } failure)
            return failure.Kind switch
            {
                FailureKind.NotFound => Failure.Invalid($"{source.Chart} has no version {version.Trim()} in {source.RepositoryUrl}.", "version"),
                FailureKind.Unavailable => new Failure(FailureKind.Unavailable, $"The chart repository {source.RepositoryUrl} did not answer: {failure.Message}"),
                _ => Failure.Invalid($"{source.Chart} {version.Trim()} cannot be read: {failure.Message}", "version"),
            };
        if (package.Value!.ValuesSchemaJson is { } schema)
        {
            var defaults = values.Parse(package.Value.DefaultValuesYaml);
            var merged = values.Merge(defaults.Value ?? [], overrides);
            var errors = values.Validate(merged, schema);
            if (errors.Count > 0)
                return new Failure(FailureKind.Invalid, $"The values do not match the schema of {source.Chart} {version.Trim()}.", errors);
        }
        return new PreparedValues(package.Value, overrides);
    }

    public static Task<Result<Accepted>> DecideAsync(IDocumentSession session, Guid id, Func<ChartRelease, Decision> decide, CancellationToken ct) =>
        AggregateStreams.DecideAsync(session, id, null, decide, NotFound, ct);

    /// <summary>Records an install: a new stream, or the same release name again on its stream once it was uninstalled.</summary>
    public static async Task<Result<Accepted>> InstallAsync(IDocumentSession session, ChartReleaseTarget target, string name, ChartSource source,
        string version, JsonObject values, ActorRef by, DateTimeOffset at, string? reason, CancellationToken ct)
    {
        var id = ChartRelease.IdFor(target.ClusterId, target.Namespace, name);
        var stream = await session.Events.FetchForWriting<ChartRelease>(id, ct);
        var decision = stream.Aggregate is { } existing
            ? existing.Reinstall(target, source, version, values, by, at, reason)
            : ChartRelease.Request(name, target, source, version, values, by, at, reason);
        if (decision.Error is { } error) return error;
        if (stream.Aggregate is null) session.Events.StartStream<ChartRelease>(id, decision.Events.ToArray());
        else stream.AppendMany(decision.Events.ToArray());
        return new Accepted(id, (stream.StartingVersion ?? 0) + decision.Events.Count);
    }

    public static string? Reason(string? reason) => string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
}
