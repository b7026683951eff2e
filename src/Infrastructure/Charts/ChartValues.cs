using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Infrastructure.Parsing;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Cocktail.Infrastructure.Charts;

/// <summary>
/// Values YAML to JSON and back, checked against a chart's schema and merged as Helm does.
/// <para>
/// Parsing follows what Helm does with a values file (<c>sigs.k8s.io/yaml</c>, which reads YAML with go-yaml v2 and
/// then converts it to JSON): plain scalars resolve by YAML 1.1 rules (<c>true/false/yes/no/on/off</c> are booleans,
/// <c>~</c>/<c>null</c>/empty are null, decimal/octal/hex integers and floats are numbers), quoted scalars stay
/// strings, a key given twice is refused (go-yaml v2: "mapping key ... already defined"), and <c>.inf</c>/<c>.nan</c> are
/// refused because JSON cannot carry them. Every document passes <see cref="BoundedYaml"/> first.
/// </para>
/// </summary>
public sealed partial class ChartValues : IChartValues
{
    public const int MaxBytes = 256 * 1024;
    public const int MaxDepth = 32;
    public const int MaxSchemaBytes = 1024 * 1024;

    public Result<JsonObject> Parse(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        if (Encoding.UTF8.GetByteCount(yaml) > MaxBytes) return Failure.Invalid($"The values are larger than {MaxBytes / 1024} KiB.", "values");
        if (BoundedYaml.Check(yaml, MaxBytes, maxDepth: MaxDepth, aliases: false) is { } refused) return Failure.Invalid(refused, "values");
        try
        {
            var parser = new Parser(new StringReader(yaml));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return new JsonObject(); // an empty file: no values
            parser.Consume<DocumentStart>();
            if (parser.Accept<Scalar>(out var only) && only.Style == ScalarStyle.Plain && IsNull(only.Value))
                return new JsonObject(); // a file of comments or `~` only
            if (!parser.Accept<MappingStart>(out _))
                return Failure.Invalid("The values must be a mapping of keys to values (key: value) at the top.", "values");
            var node = ReadNode(parser);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
                return Failure.Invalid("The values must be one YAML document; remove the extra '---'.", "values");
            return (JsonObject)node!;
        }
        catch (ValuesException e)
        {
            return Failure.Invalid(e.Message, "values");
        }
        catch (YamlException e)
        {
            return Failure.Invalid($"The values are not valid YAML: {e.Message.Split('\n')[0]}", "values");
        }
    }

    private sealed class ValuesException(string message) : Exception(message);

    private static JsonNode? ReadNode(IParser parser)
    {
        if (parser.TryConsume<Scalar>(out var scalar)) return Resolve(scalar);
        if (parser.TryConsume<SequenceStart>(out _))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _)) array.Add(ReadNode(parser));
            return array;
        }
        if (parser.TryConsume<MappingStart>(out _))
        {
            var map = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (!parser.TryConsume<Scalar>(out var key))
                    throw new ValuesException($"A key at line {parser.Current?.Start.Line} is a list or a mapping; keys must be plain text.");
                var value = ReadNode(parser);
                if (!map.TryAdd(key.Value, value))
                    throw new ValuesException($"The key '{key.Value}' is given twice (line {key.Start.Line}).");
            }
            return map;
        }
        throw new ValuesException($"Line {parser.Current?.Start.Line}: anchors and aliases are not accepted; write each value out.");
    }

    private static bool IsNull(string value) => value is "" or "~" or "null" or "Null" or "NULL";

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex Decimal();

    [GeneratedRegex(@"^[-+]?0x[0-9a-fA-F]+$")]
    private static partial Regex Hex();

    [GeneratedRegex(@"^[-+]?0o?[0-7]+$")]
    private static partial Regex Octal();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    private static JsonNode? Resolve(Scalar scalar)
    {
        if (scalar.Style != ScalarStyle.Plain) return JsonValue.Create(scalar.Value);
        var v = scalar.Value;
        if (IsNull(v)) return null;
        switch (v)
        {
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y": return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N": return JsonValue.Create(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "-.inf" or "+.Inf" or "-.Inf" or ".nan" or ".NaN" or ".NAN":
                throw new ValuesException($"Line {scalar.Start.Line}: '{v}' is not a number JSON can carry; quote it if it is text.");
        }
        if (Decimal().IsMatch(v) && !(v.TrimStart('-', '+').Length > 1 && v.TrimStart('-', '+')[0] == '0'))
            return long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l)
                : decimal.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var big) ? JsonValue.Create(big) : JsonValue.Create(v);
        if (Hex().IsMatch(v))
        {
            var negative = v.StartsWith('-');
            var digits = v.TrimStart('-', '+')[2..];
            if (long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) && h >= 0)
                return JsonValue.Create(negative ? -h : h);
        }
        if (Octal().IsMatch(v))
        {
            var negative = v.StartsWith('-');
            var digits = v.TrimStart('-', '+').TrimStart('0', 'o');
            try
            {
                var o = digits.Length == 0 ? 0 : Convert.ToInt64(digits, 8);
                return JsonValue.Create(negative ? -o : o);
            }
            catch (OverflowException)
            {
                return JsonValue.Create(v);
            }
        }
        if (Float().IsMatch(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return JsonValue.Create(d);
        return JsonValue.Create(v);
    }

    // --- validation --------------------------------------------------------------------------------------------

    public IReadOnlyDictionary<string, string[]> Validate(JsonObject values, string valuesSchemaJson)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(valuesSchemaJson);
        if (Encoding.UTF8.GetByteCount(valuesSchemaJson) > MaxSchemaBytes)
            return Errors("values", $"The chart's values.schema.json is larger than {MaxSchemaBytes / 1024} KiB; the values could not be checked.");
        JsonSchema schema;
        try
        {
            using var document = JsonDocument.Parse(valuesSchemaJson, new JsonDocumentOptions { MaxDepth = 64 });
            // Helm validates with draft 7 unless the schema says otherwise ($schema wins over the default dialect).
            var id = new Uri($"https://charts.cocktail.invalid/schema/{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(valuesSchemaJson)))}");
            var options = new BuildOptions { Dialect = Dialect.Draft07, SchemaRegistry = new SchemaRegistry() };
            schema = JsonSchema.Build(document.RootElement.Clone(), options, id);
        }
        catch (Exception e) when (e is JsonException or JsonSchemaException or ArgumentException or InvalidOperationException or RefResolutionException)
        {
            return Errors("values", $"The chart's values.schema.json could not be read: {e.Message.Split('\n')[0]}");
        }

        using var instance = JsonDocument.Parse(values.ToJsonString(), new JsonDocumentOptions { MaxDepth = 64 });
        EvaluationResults results;
        try
        {
            results = schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        }
        catch (Exception e) when (e is JsonSchemaException or RefResolutionException or InvalidOperationException)
        {
            return Errors("values", $"The chart's values.schema.json could not be used: {e.Message.Split('\n')[0]}");
        }
        if (results.IsValid) return new Dictionary<string, string[]>();

        var errors = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var detail in JsonSchemaResults.Flatten(results))
        {
            if (detail.IsValid || detail.Errors is not { Count: > 0 } found) continue;
            var evaluation = JsonSchemaResults.Segments(detail.EvaluationPath.ToString());
            if (JsonSchemaResults.InsideJunction(evaluation)) continue; // anyOf/oneOf/not report once, not per branch
            var location = JsonSchemaResults.Segments(detail.InstanceLocation.ToString());
            foreach (var (keyword, message) in found)
            {
                if (keyword == "required" && Target(values, location) is JsonObject present && Required(detail) is { } required)
                {
                    foreach (var missing in required.Where(r => !present.ContainsKey(r)))
                        Add(errors, Key(values, [.. location, missing]), "Required value.");
                }
                else Add(errors, Key(values, location), message);
            }
        }
        if (errors.Count == 0) Add(errors, "values", "The values do not match the chart's values.schema.json.");
        return errors.ToDictionary(e => e.Key, e => e.Value.Distinct().ToArray());
    }

    private static Dictionary<string, string[]> Errors(string key, string message) => new() { [key] = [message] };

    private static void Add(SortedDictionary<string, List<string>> errors, string key, string message)
    {
        if (!errors.TryGetValue(key, out var list)) errors[key] = list = [];
        list.Add(message);
    }

    /// <summary>The missing names, read from the message JsonSchema.Net writes ("Required properties [\"a\", \"b\"] are not present").</summary>
    private static IReadOnlyList<string>? Required(EvaluationResults detail)
    {
        var message = detail.Errors!.TryGetValue("required", out var m) ? m : null;
        if (message is null) return null;
        var names = QuotedName().Matches(message).Select(x => x.Groups[1].Value).ToList();
        return names.Count > 0 ? names : null;
    }

    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex QuotedName();

    private static JsonNode? Target(JsonObject values, IReadOnlyList<string> location)
    {
        JsonNode? node = values;
        foreach (var segment in location)
            node = node switch { JsonObject o => o[segment], JsonArray a when int.TryParse(segment, out var i) && i < a.Count => a[i], _ => null };
        return node;
    }

    /// <summary>"values.image.tag", "values.ports[0].name": dots between keys, brackets for list items.</summary>
    private static string Key(JsonObject values, IReadOnlyList<string> location)
    {
        var key = new StringBuilder("values");
        JsonNode? node = values;
        foreach (var segment in location)
        {
            if (node is JsonArray array && int.TryParse(segment, out var index))
            {
                key.Append('[').Append(segment).Append(']');
                node = index < array.Count ? array[index] : null;
            }
            else
            {
                key.Append('.').Append(segment);
                node = node is JsonObject o ? o[segment] : null;
            }
        }
        return key.ToString();
    }

    // --- merging -----------------------------------------------------------------------------------------------

    /// <summary>
    /// Helm's <c>chartutil.CoalesceTables</c> for a release's own values: a key the overrides set to null is removed;
    /// two maps merge key by key; anything else (lists included) is replaced by the override.
    /// </summary>
    public JsonObject Merge(JsonObject defaults, JsonObject overrides)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(overrides);
        var result = (JsonObject)defaults.DeepClone();
        Coalesce(result, overrides);
        return result;
    }

    private static void Coalesce(JsonObject target, JsonObject overrides)
    {
        foreach (var (key, value) in overrides)
        {
            if (value is null) target.Remove(key);
            else if (value is JsonObject overriding && target[key] is JsonObject existing) Coalesce(existing, overriding);
            else
            {
                var copy = value.DeepClone();
                if (copy is JsonObject fresh) RemoveNulls(fresh);
                target[key] = copy;
            }
        }
    }

    private static void RemoveNulls(JsonObject map)
    {
        foreach (var key in map.Where(p => p.Value is null).Select(p => p.Key).ToList()) map.Remove(key);
        foreach (var (_, child) in map)
            if (child is JsonObject nested) RemoveNulls(nested);
    }

    // --- YAML out ----------------------------------------------------------------------------------------------

    public string ToYaml(JsonObject values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) return "{}\n";
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(writer, new EmitterSettings(2, int.MaxValue, false, 1024));
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, true));
        Write(emitter, values);
        emitter.Emit(new DocumentEnd(true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Write(IEmitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case null:
                emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                break;
            case JsonObject map:
                emitter.Emit(new MappingStart(null, null, true, map.Count == 0 ? MappingStyle.Flow : MappingStyle.Block));
                foreach (var (key, value) in map)
                {
                    WriteString(emitter, key);
                    Write(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(null, null, true, array.Count == 0 ? SequenceStyle.Flow : SequenceStyle.Block));
                foreach (var item in array) Write(emitter, item);
                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value:
                switch (value.GetValueKind())
                {
                    case JsonValueKind.String:
                        WriteString(emitter, value.GetValue<string>());
                        break;
                    case JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number:
                        emitter.Emit(new Scalar(null, null, value.ToJsonString(), ScalarStyle.Plain, true, false));
                        break;
                    default:
                        emitter.Emit(new Scalar(null, null, "null", ScalarStyle.Plain, true, false));
                        break;
                }
                break;
        }
    }

    /// <summary>A string that would read back as something else (true, 1, null, "") is quoted; text with lines is a literal block.</summary>
    private static void WriteString(IEmitter emitter, string text)
    {
        bool ambiguous;
        try
        {
            ambiguous = Resolve(new Scalar(null, null, text, ScalarStyle.Plain, true, false)) is not JsonValue v || v.GetValueKind() != JsonValueKind.String;
        }
        catch (ValuesException)
        {
            ambiguous = true; // .inf, .nan
        }
        var style = ambiguous ? ScalarStyle.DoubleQuoted : text.Contains('\n') && !text.Contains('\r') ? ScalarStyle.Literal : ScalarStyle.Any;
        emitter.Emit(new Scalar(null, null, text, style, true, true));
    }
}
