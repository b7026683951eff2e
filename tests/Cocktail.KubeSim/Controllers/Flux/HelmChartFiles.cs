using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Controllers.Flux;

/// <summary>
/// A chart package as Helm loads it (<c>helm.sh/helm/v3/pkg/chart/loader</c>): <c>&lt;name&gt;/Chart.yaml</c>, <c>values.yaml</c>,
/// <c>values.schema.json</c> and <c>templates/*</c>. Bounded like Helm's loader (a file over 5 MiB, a package over
/// 8 MiB or entries escaping the chart folder are refused).
/// </summary>
internal sealed record HelmChartFiles(string Name, string Version, string? AppVersion, JsonObject Values, string? Schema, IReadOnlyList<(string Path, string Text)> Templates)
{
    const int MaxPackage = 8 * 1024 * 1024;
    const int MaxFile = 5 * 1024 * 1024;
    const int MaxEntries = 2000;

    public static HelmChartFiles Load(byte[] package)
    {
        if (package.Length > MaxPackage) throw new InvalidDataException($"chart package exceeds the maximum size of {MaxPackage} bytes");
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var tar = new TarReader(new GZipStream(new MemoryStream(package), CompressionMode.Decompress)))
        {
            var count = 0;
            while (tar.GetNextEntry() is { } entry)
            {
                if (++count > MaxEntries) throw new InvalidDataException("chart has too many files");
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                var name = entry.Name.Replace('\\', '/');
                if (name.StartsWith('/') || name.Split('/').Contains("..")) throw new InvalidDataException($"chart illegally references parent directory: {name}");
                if (entry.Length > MaxFile) throw new InvalidDataException($"file '{name}' exceeds the maximum size of {MaxFile} bytes");
                var slash = name.IndexOf('/');
                if (slash < 0) continue;
                using var reader = new StreamReader(entry.DataStream, Encoding.UTF8);
                files[name[(slash + 1)..]] = reader.ReadToEnd();
            }
        }
        // Helm's loader: "Chart.yaml file is missing" when a package has none.
        if (!files.TryGetValue("Chart.yaml", out var chartYaml)) throw new InvalidDataException("Chart.yaml file is missing");
        var metadata = YamlToJson.Parse(chartYaml) as JsonObject ?? throw new InvalidDataException("Chart.yaml is not a mapping");
        var values = files.TryGetValue("values.yaml", out var valuesYaml) ? YamlToJson.Parse(valuesYaml) as JsonObject ?? [] : [];
        var templates = files.Where(f => f.Key.StartsWith("templates/", StringComparison.Ordinal)).OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => (f.Key, f.Value)).ToList();
        return new HelmChartFiles(metadata.Str("name") ?? throw new InvalidDataException("validation: chart.metadata.name is required"),
            metadata.At("version")?.ToString() ?? throw new InvalidDataException("validation: chart.metadata.version is required"),
            metadata.At("appVersion")?.ToString(), values, files.GetValueOrDefault("values.schema.json"), templates);
    }

    /// <summary>
    /// The templates as manifests. KubeSim does not run Go templates: a template without <c>{{</c> is taken as plain
    /// YAML (documents split on <c>---</c>); one with <c>{{</c> renders nothing (documented simplification).
    /// </summary>
    public List<JsonObject> Render()
    {
        var objects = new List<JsonObject>();
        foreach (var (path, text) in Templates)
        {
            if (text.Contains("{{", StringComparison.Ordinal) || !(path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal))) continue;
            foreach (var document in Regex.Split(text, @"^---[ \t]*$", RegexOptions.Multiline))
                if (document.Trim().Length > 0 && YamlToJson.Parse(document) is JsonObject o && o.Str("kind") is not null) objects.Add(o);
        }
        return objects;
    }
}

/// <summary>Helm's values handling: coalescing user values over chart defaults, and JSON Schema validation with Helm's message.</summary>
internal static class HelmValues
{
    /// <summary>
    /// chartutil.CoalesceValues: maps merge deeply, anything else in <paramref name="overrides"/> replaces the default,
    /// and a <c>null</c> override deletes the default key.
    /// </summary>
    public static JsonObject Coalesce(JsonObject defaults, JsonObject? overrides)
    {
        var result = defaults.CloneObject();
        foreach (var (key, value) in overrides ?? [])
        {
            if (value is null) { result.Remove(key); continue; }
            if (value is JsonObject o && result[key] is JsonObject d) result[key] = Coalesce(d, o);
            else result[key] = value.DeepClone();
        }
        return result;
    }

    /// <summary>
    /// Validates values against the chart's <c>values.schema.json</c> (draft 7 keywords Helm charts use: type,
    /// required, properties, additionalProperties, enum, const, minimum/maximum, minLength/maxLength, pattern, items).
    /// Returns Helm v3's error (pkg/chartutil/jsonschema.go: "values don't meet the specifications of the schema(s) in
    /// the following chart(s):\n&lt;chart&gt;:\n- at '&lt;pointer&gt;': &lt;message&gt;", the messages of santhosh-tekuri/jsonschema v6
    /// that Helm 3.18 uses), or null when they pass.
    /// </summary>
    public static string? Validate(string chartName, JsonObject values, string schemaJson)
    {
        var schema = JsonNode.Parse(schemaJson) as JsonObject;
        if (schema is null) return null;
        var errors = new List<string>();
        Check(schema, values, "", errors);
        return errors.Count == 0 ? null
            : $"values don't meet the specifications of the schema(s) in the following chart(s):\n{chartName}:\n" + string.Join("\n", errors.Select(e => "- " + e));
    }

    static string TypeOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v when v.TryGetValue<bool>(out _) => "boolean",
        JsonValue v when v.TryGetValue<string>(out _) => "string",
        JsonValue v when v.TryGetValue<long>(out _) || v.TryGetValue<int>(out _) => "integer",
        JsonValue v when v.TryGetValue<double>(out var d) => d == Math.Floor(d) ? "integer" : "number",
        _ => "string",
    };

    static bool Matches(string type, string actual) => type == actual || type == "number" && actual == "integer";

    static string Quote(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? $"'{s}'" : node?.ToJsonString() ?? "null";

    static void Check(JsonObject schema, JsonNode? value, string pointer, List<string> errors)
    {
        var at = $"at '{(pointer.Length == 0 ? "" : pointer)}'";
        var actual = TypeOf(value);
        if (schema["type"] is { } type)
        {
            var allowed = type is JsonArray a ? a.Select(t => t!.ToString()).ToList() : [type.ToString()];
            if (!allowed.Any(t => Matches(t, actual)))
            {
                errors.Add($"{at}: got {actual}, want {string.Join(" or ", allowed)}");
                return;
            }
        }
        if (schema["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, value)))
            errors.Add($"{at}: value must be one of {string.Join(", ", options.Select(Quote))}");
        if (schema["const"] is { } constant && !JsonNode.DeepEquals(constant, value))
            errors.Add($"{at}: value must be {Quote(constant)}");
        if (actual is "integer" or "number" && value is JsonValue number)
        {
            var n = number.TryGetValue<long>(out var l) ? l : number.GetValue<double>();
            if (schema["minimum"] is JsonValue min && n < min.GetValue<double>()) errors.Add($"{at}: minimum: got {Format(n)}, want {Format(min.GetValue<double>())}");
            if (schema["maximum"] is JsonValue max && n > max.GetValue<double>()) errors.Add($"{at}: maximum: got {Format(n)}, want {Format(max.GetValue<double>())}");
        }
        if (actual == "string" && value is JsonValue text)
        {
            var s = text.GetValue<string>();
            if (schema["minLength"] is JsonValue minLength && s.Length < minLength.GetValue<int>()) errors.Add($"{at}: minLength: got {s.Length}, want {minLength}");
            if (schema["maxLength"] is JsonValue maxLength && s.Length > maxLength.GetValue<int>()) errors.Add($"{at}: maxLength: got {s.Length}, want {maxLength}");
            if (schema["pattern"] is JsonValue pattern && !Regex.IsMatch(s, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
                errors.Add($"{at}: '{s}' does not match pattern '{pattern}'");
        }
        if (value is JsonObject obj)
        {
            var properties = schema["properties"] as JsonObject;
            if (schema["required"] is JsonArray required)
            {
                var missing = required.Select(r => r!.ToString()).Where(r => !obj.ContainsKey(r)).ToList();
                if (missing.Count == 1) errors.Add($"{at}: missing property '{missing[0]}'");
                else if (missing.Count > 1) errors.Add($"{at}: missing properties {string.Join(", ", missing.Select(m => $"'{m}'"))}");
            }
            foreach (var (key, child) in obj)
                if (properties?[key] is JsonObject childSchema) Check(childSchema, child, $"{pointer}/{key}", errors);
            if (schema["additionalProperties"] is JsonValue additional && additional.TryGetValue<bool>(out var allowedExtra) && !allowedExtra)
            {
                var extra = obj.Select(p => p.Key).Where(k => properties?.ContainsKey(k) != true).ToList();
                if (extra.Count > 0) errors.Add($"{at}: additional properties {string.Join(", ", extra.Select(e => $"'{e}'"))} not allowed");
            }
            else if (schema["additionalProperties"] is JsonObject additionalSchema)
                foreach (var (key, child) in obj.Where(p => properties?.ContainsKey(p.Key) != true).ToList())
                    Check(additionalSchema, child, $"{pointer}/{key}", errors);
        }
        if (value is JsonArray array && schema["items"] is JsonObject items)
            for (var i = 0; i < array.Count; i++) Check(items, array[i], $"{pointer}/{i}", errors);
    }

    static string Format(double d) => d.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Semantic versions and the constraints Flux accepts in <c>spec.version</c> / <c>spec.ref.semver</c> (Masterminds/semver).</summary>
internal static class SemVer
{
    public static bool TryParse(string text, out (long Major, long Minor, long Patch, string? Pre) version)
    {
        version = default;
        var m = Regex.Match(text.Trim(), @"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$");
        if (!m.Success) return false;
        version = (long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Success ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0,
            m.Groups[3].Success ? long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0, m.Groups[4].Success ? m.Groups[4].Value : null);
        return true;
    }

    public static int Compare(string a, string b)
    {
        if (!TryParse(a, out var x) || !TryParse(b, out var y)) return string.CompareOrdinal(a, b);
        var c = x.Major.CompareTo(y.Major);
        if (c == 0) c = x.Minor.CompareTo(y.Minor);
        if (c == 0) c = x.Patch.CompareTo(y.Patch);
        if (c != 0) return c;
        if (x.Pre is null) return y.Pre is null ? 0 : 1;
        return y.Pre is null ? -1 : string.CompareOrdinal(x.Pre, y.Pre);
    }

    /// <summary>
    /// The newest version matching <paramref name="constraint"/>: empty or <c>*</c> is the latest stable version; an
    /// exact version matches itself; <c>1.x</c>/<c>1.2.*</c> wildcards, <c>^</c>, <c>~</c> and comparisons
    /// (<c>&gt;=1.0.0 &lt;2.0.0</c>, comma or space separated) as Masterminds/semver reads them.
    /// </summary>
    public static string? Resolve(string? constraint, IEnumerable<string> versions)
    {
        var all = versions.Where(v => TryParse(v, out _)).OrderByDescending(v => v, Comparer<string>.Create(Compare)).ToList();
        var c = (constraint ?? "").Trim();
        if (c.Length == 0 || c == "*") return all.FirstOrDefault(v => TryParse(v, out var p) && p.Pre is null);
        if (all.Contains(c)) return c;
        var terms = c.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        return all.FirstOrDefault(v => TryParse(v, out var p) && p.Pre is null && terms.All(t => Satisfies(v, t)));
    }

    static bool Satisfies(string version, string term)
    {
        var op = Regex.Match(term, @"^(>=|<=|>|<|=|\^|~)?(.*)$");
        var target = op.Groups[2].Value;
        if (target.Contains('x') || target.Contains('X') || target.Contains('*'))
        {
            var parts = target.TrimStart('v').Split('.');
            var actual = version.TrimStart('v').Split('-', '+')[0].Split('.');
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i] is "x" or "X" or "*") return true;
                if (i >= actual.Length || parts[i] != actual[i]) return false;
            }
            return true;
        }
        if (!TryParse(target, out var t) || !TryParse(version, out var v)) return false;
        var cmp = Compare(version, target);
        return op.Groups[1].Value switch
        {
            ">=" => cmp >= 0,
            "<=" => cmp <= 0,
            ">" => cmp > 0,
            "<" => cmp < 0,
            "^" => cmp >= 0 && v.Major == t.Major,
            "~" => cmp >= 0 && v.Major == t.Major && v.Minor == t.Minor,
            _ => cmp == 0,
        };
    }
}
