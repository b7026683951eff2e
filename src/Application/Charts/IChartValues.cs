using System.Text.Json.Nodes;
using Cocktail.Application.Common;

namespace Cocktail.Application.Charts;

/// <summary>
/// Chart values: YAML where people read and write them (the console, the API), JSON objects in events and in the
/// HelmRelease's <c>spec.values</c>.
/// </summary>
public interface IChartValues
{
    /// <summary>
    /// Parses values YAML, bounded (256 KiB, 32 levels, no anchors or aliases); the top must be a mapping. Field
    /// errors are keyed <c>values</c>.
    /// </summary>
    Result<JsonObject> Parse(string yaml);

    /// <summary>
    /// Checks values (the chart's defaults already merged with the overrides, as Helm does before it validates)
    /// against the chart's <c>values.schema.json</c>; field errors keyed <c>values.&lt;dotted.path&gt;</c>, none when valid.
    /// </summary>
    IReadOnlyDictionary<string, string[]> Validate(JsonObject values, string valuesSchemaJson);

    /// <summary>Helm's coalesce: maps merge deeply, anything else replaces; a <c>null</c> override removes the default key.</summary>
    JsonObject Merge(JsonObject defaults, JsonObject overrides);

    /// <summary>Values as YAML, keys in their order, for showing and diffing.</summary>
    string ToYaml(JsonObject values);
}
