using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Admission;
using Cocktail.KubeSim.Http;

namespace Cocktail.KubeSim.Registry;

/// <summary>
/// Validation of a custom resource against its CRD version's schema, in the apiserver's order
/// (pkg/registry/customresource/strategy.go Validate/ValidateUpdate): the OpenAPI value validations of
/// kube-openapi (messages "spec.x in body should ..." converted to field errors as
/// pkg/apiserver/validation.kubeOpenAPIResultToFieldErrors does), embedded resources (schema/objectmeta), list types
/// (schema/listtype), then x-kubernetes-validations (schema/cel), which are skipped with one "some validation rules
/// were not checked" error when an earlier error is blocking. On update, values unchanged from the old object are
/// not validated (CRD validation ratcheting, GA since 1.30), and transition rules (oldSelf) run only where the old
/// object has a correlated value.
/// </summary>
public static class CustomResourceValidation
{
    public static List<FieldError> Validate(StructuralSchema schema, JsonObject obj, JsonObject? old)
    {
        var context = new Context();
        ValidateNode(obj, schema, "", "", old, old is not null, context, isRoot: true);
        var errors = new List<FieldError>(context.OpenApi);
        errors.AddRange(context.Embedded);
        errors.AddRange(context.ListTypes);
        // Only a CRD with rules has a CEL validator, and only it reports the rules it could not check.
        if (schema.DeclaresRules)
        {
            if (errors.Any(e => e.Reason is "FieldValueNotSupported" or "FieldValueRequired" or "FieldValueTooLong" or "FieldValueTooMany" or "FieldValueTypeInvalid"))
                errors.Add(new FieldError("<nil>", "FieldValueInvalid",
                    "Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"));
            else if (schema.HasRules)
                Rules(obj, schema, "", old, old is not null, errors);
        }
        return errors;
    }

    sealed class Context
    {
        public readonly List<FieldError> OpenApi = [];
        public readonly List<FieldError> Embedded = [];
        public readonly List<FieldError> ListTypes = [];
    }

    static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <param name="path">kube-openapi's path (map keys joined with dots), which is also the field of its errors.</param>
    /// <param name="fieldPath">field.Path of the list-type and embedded checks (map keys as [key]).</param>
    static void ValidateNode(JsonNode? value, StructuralSchema schema, string path, string fieldPath, JsonNode? old, bool hasOld, Context context, bool isRoot = false)
    {
        // Ratcheting: an unchanged value keeps whatever errors it had.
        if (hasOld && JsonNode.DeepEquals(value, old)) return;
        var errors = context.OpenApi;
        var type = StructuralSchema.JsonType(value);

        if (value is null)
        {
            if (schema.Type.Length > 0 && !schema.Nullable)
                errors.Add(TypeInvalid(path, schema.Type, "null"));
            return;
        }
        if (!TypeMatches(schema, type, value))
        {
            errors.Add(TypeInvalid(path, schema.IntOrString ? "integer,string" : schema.Type, type));
            return;
        }

        foreach (var sub in schema.AllOf) ValidateNode(value, sub, path, fieldPath, null, false, context);
        if (schema.AnyOf.Length > 0 && !schema.IntOrString && !schema.AnyOf.Any(s => Passes(value, s)))
            errors.Add(Invalid(path, value, $"{Subject(path)} must validate at least one schema (anyOf)"));
        if (schema.OneOf.Length > 0 && schema.OneOf.Count(s => Passes(value, s)) != 1)
            errors.Add(Invalid(path, value, $"{Subject(path)} must validate one and only one schema (oneOf)"));
        if (schema.Not is { } not && Passes(value, not))
            errors.Add(Invalid(path, value, $"{Subject(path)} must not validate the schema (not)"));

        switch (value)
        {
            case JsonValue v when type == "string":
                ValidateString(v.GetValue<string>(), schema, path, errors);
                break;
            case JsonValue v when type is "integer" or "number":
                ValidateNumber(v, schema, path, errors);
                break;
            case JsonArray a:
                ValidateArray(a, schema, path, fieldPath, old as JsonArray, hasOld, context);
                break;
            case JsonObject o:
                ValidateObject(o, schema, path, fieldPath, old as JsonObject, hasOld, context, isRoot);
                break;
        }
        if (schema.Enum is { } allowed && !allowed.Any(e => JsonNode.DeepEquals(e, value)))
            errors.Add(new FieldError(path, "FieldValueNotSupported", $"Unsupported value: {GoValue(value)}: supported values: " +
                string.Join(", ", allowed.Select(e => Quote(e is JsonValue ev && ev.GetValueKind() == JsonValueKind.String ? ev.GetValue<string>() : e?.ToJsonString() ?? "null")))));
    }

    static bool Passes(JsonNode? value, StructuralSchema schema)
    {
        var probe = new Context();
        ValidateNode(value, schema, "", "", null, false, probe);
        return probe.OpenApi.Count == 0;
    }

    static bool TypeMatches(StructuralSchema schema, string type, JsonNode value)
    {
        if (schema.IntOrString) return type is "string" or "integer" || (type == "number" && IsIntegral(value));
        return schema.Type switch
        {
            "" => true,
            "integer" => type == "integer" || (type == "number" && IsIntegral(value)),
            "number" => type is "integer" or "number",
            _ => schema.Type == type,
        };
    }

    static bool IsIntegral(JsonNode value) => StructuralSchema.AsDouble(value) is var d && Math.Floor(d) == d && !double.IsInfinity(d);

    static string Subject(string path) => $"{path} in body";

    static FieldError TypeInvalid(string path, string expected, string actual) =>
        new(path, "FieldValueTypeInvalid", $"Invalid value: {Quote(actual)}: {Subject(path)} must be of type {expected}: {Quote(actual)}");

    static FieldError Invalid(string path, JsonNode? value, string detail) =>
        new(path, "FieldValueInvalid", $"Invalid value: {GoValue(value)}: {detail}");

    static FieldError InvalidCount(string path, long count, string detail) =>
        new(path, "FieldValueInvalid", $"Invalid value: {count}: {detail}");

    static FieldError TooMany(string path, long actual, long max) =>
        new(path, "FieldValueTooMany", $"Too many: {actual}: must have at most {max} {(max == 1 ? "item" : "items")}");

    static void ValidateString(string s, StructuralSchema schema, string path, List<FieldError> errors)
    {
        var length = new StringInfo(s).LengthInTextElements;
        if (schema.MaxLength is { } max && length > max)
        {
            errors.Add(new FieldError(path, "FieldValueTooLong", $"Too long: may not be more than {max} {(max == 1 ? "byte" : "bytes")}"));
            return;
        }
        if (schema.MinLength is { } min && length < min)
        {
            errors.Add(new FieldError(path, "FieldValueInvalid", $"Invalid value: {Quote(s)}: {Subject(path)} should be at least {min} chars long"));
            return;
        }
        if (schema.Pattern is { } pattern)
        {
            bool matches;
            try { matches = pattern.IsMatch(s); }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException) { matches = true; }
            if (!matches)
            {
                errors.Add(new FieldError(path, "FieldValueInvalid", $"Invalid value: {Quote(s)}: {Subject(path)} should match '{schema.PatternText}'"));
                return;
            }
        }
        if (schema.Format is { } format && !FormatMatches(format, s))
            errors.Add(new FieldError(path, "FieldValueTypeInvalid", $"Invalid value: {Quote(s)}: {Subject(path)} must be of type {format}: {Quote(s)}"));
    }

    /// <summary>The formats apiextensions checks (kube-openapi strfmt); unknown formats are accepted.</summary>
    static bool FormatMatches(string format, string s) => format switch
    {
        "date-time" => DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
                       && System.Text.RegularExpressions.Regex.IsMatch(s, @"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"),
        "date" => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => System.Text.RegularExpressions.Regex.IsMatch(s, "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"),
        "byte" => s.Length % 4 == 0 && Convert.TryFromBase64String(s, new byte[s.Length], out _),
        "ipv4" => System.Net.IPAddress.TryParse(s, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && s.Count(c => c == '.') == 3,
        "ipv6" => System.Net.IPAddress.TryParse(s, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6,
        _ => true,
    };

    static void ValidateNumber(JsonValue v, StructuralSchema schema, string path, List<FieldError> errors)
    {
        var d = StructuralSchema.AsDouble(v);
        if (schema.MultipleOf is { } m && m > 0 && Math.Abs(d / m - Math.Round(d / m)) > 1e-9)
            errors.Add(Invalid(path, v, $"{Subject(path)} should be a multiple of {GoNumber(m)}"));
        if (schema.Maximum is { } max && (schema.ExclusiveMaximum ? d >= max : d > max))
            errors.Add(Invalid(path, v, $"{Subject(path)} should be less than {(schema.ExclusiveMaximum ? "" : "or equal to ")}{GoNumber(max)}"));
        if (schema.Minimum is { } min && (schema.ExclusiveMinimum ? d <= min : d < min))
            errors.Add(Invalid(path, v, $"{Subject(path)} should be greater than {(schema.ExclusiveMinimum ? "" : "or equal to ")}{GoNumber(min)}"));
    }

    static void ValidateArray(JsonArray a, StructuralSchema schema, string path, string fieldPath, JsonArray? old, bool hasOld, Context context)
    {
        if (schema.Items is { } items)
            for (var i = 0; i < a.Count; i++)
            {
                var (oldItem, found) = Correlate(schema, a[i], old, hasOld);
                ValidateNode(a[i], items, $"{path}[{i}]", $"{fieldPath}[{i}]", oldItem, found, context);
            }
        if (schema.MinItems is { } min && a.Count < min)
            context.OpenApi.Add(InvalidCount(path, a.Count, $"{Subject(path)} should have at least {min} items"));
        if (schema.MaxItems is { } max && a.Count > max)
            context.OpenApi.Add(TooMany(path, a.Count, max));
        ValidateListType(a, schema, fieldPath, context.ListTypes);
    }

    /// <summary>The old element a list element is compared with: same map keys (list-type map) or the same value (set); atomic lists do not correlate.</summary>
    static (JsonNode? Old, bool Found) Correlate(StructuralSchema schema, JsonNode? item, JsonArray? old, bool hasOld)
    {
        if (!hasOld || old is null) return (null, false);
        if (schema.ListType == "map" && item is JsonObject o)
        {
            foreach (var candidate in old)
                if (candidate is JsonObject c && schema.ListMapKeys.All(k => JsonNode.DeepEquals(c[k], o[k]))) return (c, true);
            return (null, false);
        }
        if (schema.ListType == "set")
        {
            foreach (var candidate in old)
                if (JsonNode.DeepEquals(candidate, item)) return (candidate, true);
        }
        return (null, false);
    }

    static void ValidateListType(JsonArray a, StructuralSchema schema, string fieldPath, List<FieldError> errors)
    {
        switch (schema.ListType)
        {
            case "set":
                for (var i = 0; i < a.Count; i++)
                    for (var j = 0; j < i; j++)
                        if (JsonNode.DeepEquals(a[i], a[j]))
                        {
                            errors.Add(new FieldError($"{fieldPath}[{i}]", "FieldValueDuplicate", $"Duplicate value: {GoValue(a[i])}"));
                            break;
                        }
                break;
            case "map":
                var seen = new List<JsonObject>();
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is not JsonObject item)
                    {
                        errors.Add(new FieldError($"{fieldPath}[{i}]", "FieldValueInvalid", $"Invalid value: {GoValue(a[i])}: must be an object for an array of list-type map"));
                        continue;
                    }
                    var key = new JsonObject();
                    var complete = true;
                    foreach (var k in schema.ListMapKeys)
                    {
                        var v = item[k] ?? schema.Items?.Properties?.GetValueOrDefault(k)?.Default;
                        if (v is null)
                        {
                            errors.Add(new FieldError($"{fieldPath}[{i}].{k}", "FieldValueRequired", "Required value"));
                            complete = false;
                            continue;
                        }
                        key[k] = v.DeepClone();
                    }
                    if (!complete) continue;
                    if (seen.Any(s => JsonNode.DeepEquals(s, key)))
                        errors.Add(new FieldError($"{fieldPath}[{i}]", "FieldValueDuplicate", $"Duplicate value: {GoValue(key)}"));
                    else seen.Add(key);
                }
                break;
        }
    }

    static void ValidateObject(JsonObject o, StructuralSchema schema, string path, string fieldPath, JsonObject? old, bool hasOld, Context context, bool isRoot)
    {
        var errors = context.OpenApi;
        var count = o.Count;
        if (schema.MinProperties is { } min && count < min)
        {
            errors.Add(InvalidCount(path, count, $"{Subject(path)} should have at least {min} properties"));
            return;
        }
        if (schema.MaxProperties is { } max && count > max)
        {
            errors.Add(TooMany(path, count, max));
            return;
        }
        if (schema.Properties is null && schema.AdditionalProperties is { } values)
            foreach (var (key, value) in o)
                ValidateNode(value, values, Child(path, key), $"{fieldPath}[{key}]", old?[key], hasOld && old!.ContainsKey(key), context);
        if (schema.Properties is { } properties)
            foreach (var (key, prop) in properties)
            {
                if (isRoot && key == "metadata") continue; // ObjectMeta is validated by the generic rules
                if (!o.TryGetPropertyValue(key, out var value)) continue;
                ValidateNode(value, prop, Child(path, key), Child(fieldPath, key), old?[key], hasOld && old!.ContainsKey(key), context);
            }
        foreach (var required in schema.Required)
            if (!o.ContainsKey(required))
                errors.Add(new FieldError(Child(path, required), "FieldValueRequired", "Required value"));
        if (schema.EmbeddedResource) ValidateEmbedded(o, fieldPath, context.Embedded);
    }

    /// <summary>schema/objectmeta validateEmbeddedResource: apiVersion and kind are required strings.</summary>
    static void ValidateEmbedded(JsonObject o, string fieldPath, List<FieldError> errors)
    {
        if (!o.ContainsKey("apiVersion")) errors.Add(new FieldError(Child(fieldPath, "apiVersion"), "FieldValueRequired", "Required value: must not be empty"));
        if (!o.ContainsKey("kind")) errors.Add(new FieldError(Child(fieldPath, "kind"), "FieldValueRequired", "Required value: must not be empty"));
        foreach (var key in new[] { "apiVersion", "kind" })
        {
            if (!o.TryGetPropertyValue(key, out var v)) continue;
            if (v is not JsonValue s || s.GetValueKind() != JsonValueKind.String)
                errors.Add(Invalid(Child(fieldPath, key), v, "must be a string"));
            else if (s.GetValue<string>().Length == 0)
                errors.Add(Invalid(Child(fieldPath, key), v, "must not be empty"));
        }
    }

    // ---- x-kubernetes-validations (schema/cel/validation.go) ----

    static void Rules(JsonNode? value, StructuralSchema schema, string fieldPath, JsonNode? old, bool hasOld, List<FieldError> errors)
    {
        if (!schema.HasRules || value is null) return;
        if (hasOld && JsonNode.DeepEquals(value, old)) return; // ratcheting
        if (schema.Rules.Length > 0)
        {
            var self = CelEvaluator.FromJson(value);
            var oldSelf = hasOld ? CelEvaluator.FromJson(old) : null;
            foreach (var rule in schema.Rules)
            {
                if (rule.IsTransition && !hasOld) continue;
                var variables = new Dictionary<string, object?> { ["self"] = self };
                if (hasOld) variables["oldSelf"] = oldSelf;
                object? result;
                try { result = CelEvaluator.Evaluate(rule.Rule, variables); }
                catch (CelEvaluationException) { continue; } // what the evaluator cannot run is skipped (see README)
                if (result is true) continue;
                var message = rule.Message is { Length: > 0 } m ? m.Trim() : $"failed rule: {rule.Rule.Trim()}";
                if (rule.MessageExpression is { } expression)
                {
                    try
                    {
                        if (CelEvaluator.Evaluate(expression, variables) is string { Length: > 0 } computed && !computed.Contains('\n')) message = computed;
                    }
                    catch (CelEvaluationException) { }
                }
                var field = rule.FieldPath is { Length: > 0 } fp ? fieldPath + (fieldPath.Length == 0 ? fp.TrimStart('.') : fp) : fieldPath;
                var typeName = Quote(schema.Type);
                errors.Add(rule.Reason switch
                {
                    "FieldValueForbidden" => new FieldError(field, "FieldValueForbidden", $"Forbidden: {message}"),
                    "FieldValueRequired" => new FieldError(field, "FieldValueRequired", $"Required value: {message}"),
                    "FieldValueDuplicate" => new FieldError(field, "FieldValueDuplicate", $"Duplicate value: {typeName}"),
                    _ => new FieldError(field, "FieldValueInvalid", $"Invalid value: {typeName}: {message}"),
                });
            }
        }
        switch (value)
        {
            case JsonObject o when schema.Properties is { } properties:
                foreach (var (key, prop) in properties)
                    if (prop.HasRules && o.TryGetPropertyValue(key, out var child))
                        Rules(child, prop, Child(fieldPath, key), (old as JsonObject)?[key], hasOld && (old as JsonObject)?.ContainsKey(key) == true, errors);
                break;
            case JsonObject o when schema.AdditionalProperties is { HasRules: true } values:
                foreach (var (key, child) in o)
                    Rules(child, values, $"{fieldPath}[{key}]", (old as JsonObject)?[key], hasOld && (old as JsonObject)?.ContainsKey(key) == true, errors);
                break;
            case JsonArray a when schema.Items is { HasRules: true } items:
                for (var i = 0; i < a.Count; i++)
                {
                    var (oldItem, found) = Correlate(schema, a[i], old as JsonArray, hasOld);
                    Rules(a[i], items, $"{fieldPath}[{i}]", oldItem, found, errors);
                }
                break;
        }
    }

    // ---- Go value printing (field.Error.ErrorBody) ----

    /// <summary>A bad value as field.Error prints it: strings quoted (%q), numbers and booleans plain, others as Go's %#v.</summary>
    public static string GoValue(JsonNode? value) => value switch
    {
        null => "\"null\"",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => Quote(v.GetValue<string>()),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => GoNumberNode(v),
            _ => "\"null\"",
        },
        _ => GoSyntax(value),
    };

    static string GoNumberNode(JsonValue v) =>
        StructuralSchema.JsonType(v) == "integer" && long.TryParse(v.ToJsonString(), out var l) ? l.ToString(CultureInfo.InvariantCulture) : GoNumber(StructuralSchema.AsDouble(v));

    /// <summary>Go's %v of a float64 (strconv 'g' with the shortest representation, exponent from 1e21).</summary>
    static string GoNumber(double d)
    {
        if (Math.Floor(d) == d && Math.Abs(d) < 1e21) return d.ToString("0", CultureInfo.InvariantCulture);
        var s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Replace("E+", "e+").Replace("E-", "e-");
    }

    static string GoSyntax(JsonNode? node) => node switch
    {
        null => "interface {}(nil)",
        JsonObject o => "map[string]interface {}{" + string.Join(", ", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quote(p.Key)}:{GoSyntax(p.Value)}")) + "}",
        JsonArray a => "[]interface {}{" + string.Join(", ", a.Select(GoSyntax)) + "}",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && StructuralSchema.JsonType(v) == "integer" => v.ToJsonString(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => GoNumber(StructuralSchema.AsDouble(v)),
        _ => GoValue(node),
    };

    /// <summary>Go's %q (strconv.Quote) for the printable ASCII and common escapes.</summary>
    public static string Quote(string s)
    {
        var b = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                < ' ' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        return b.Append('"').ToString();
    }
}
