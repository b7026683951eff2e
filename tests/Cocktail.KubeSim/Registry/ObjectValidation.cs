using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Registry;

/// <summary>
/// The type-specific validation a client is most likely to trip over (pkg/apis/*/validation), with the same
/// field paths and messages; not the full rule set.
/// </summary>
public static class ObjectValidation
{
    public static void Validate(ResourceType type, JsonObject obj, JsonObject? old)
    {
        var errors = new List<FieldError>();
        switch (type.StorageKey)
        {
            case "/pods":
                ValidatePodSpec(obj["spec"] as JsonObject, "spec", errors);
                if (old is not null) ValidatePodUpdate(obj, old, errors);
                break;
            case "apps/deployments" or "apps/replicasets" or "apps/statefulsets" or "apps/daemonsets":
                ValidateWorkload(obj, errors);
                break;
            case "batch/jobs":
                ValidatePodSpec(obj.At("spec", "template", "spec") as JsonObject, "spec.template.spec", errors);
                if (obj.Str("spec", "template", "spec", "restartPolicy") is { } policy and not ("OnFailure" or "Never"))
                    errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", policy, ["OnFailure", "Never"]));
                break;
            case "/configmaps" or "/secrets":
                foreach (var (key, _) in obj["data"] as JsonObject ?? [])
                    if (!System.Text.RegularExpressions.Regex.IsMatch(key, @"^[-._a-zA-Z0-9]+$"))
                        errors.Add(FieldError.InvalidValue($"data[{key}]", key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
                break;
        }
        foreach (var (key, value) in obj.At("metadata", "labels") as JsonObject ?? [])
        {
            var v = value?.GetValue<string>() ?? "";
            if (v.Length > 63 || (v.Length > 0 && !System.Text.RegularExpressions.Regex.IsMatch(v, @"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")))
                errors.Add(FieldError.InvalidValue($"metadata.labels", v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
        }
        if (errors.Count > 0) throw ApiException.Invalid(type.Group, type.Kind, obj.Str("metadata", "name") ?? "", errors);
    }

    static void ValidatePodSpec(JsonObject? spec, string path, List<FieldError> errors)
    {
        var containers = spec?["containers"] as JsonArray;
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.Required($"{path}.containers"));
            return;
        }
        var i = 0;
        foreach (var c in containers.Objects())
        {
            if (string.IsNullOrEmpty(c.Str("name"))) errors.Add(FieldError.Required($"{path}.containers[{i}].name"));
            if (string.IsNullOrEmpty(c.Str("image"))) errors.Add(FieldError.Required($"{path}.containers[{i}].image"));
            i++;
        }
    }

    /// <summary>Pod updates may only change images, activeDeadlineSeconds, tolerations (additions) and a few more.</summary>
    static void ValidatePodUpdate(JsonObject pod, JsonObject old, List<FieldError> errors)
    {
        var before = StripMutable(old["spec"]?.DeepClone() as JsonObject);
        var after = StripMutable(pod["spec"]?.DeepClone() as JsonObject);
        if (!JsonNode.DeepEquals(before, after))
            errors.Add(FieldError.Forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
    }

    static JsonObject? StripMutable(JsonObject? spec)
    {
        if (spec is null) return null;
        foreach (var list in new[] { "containers", "initContainers" })
            foreach (var c in spec[list].Objects()) c.Remove("image");
        spec.Remove("activeDeadlineSeconds");
        spec.Remove("tolerations");
        spec.Remove("terminationGracePeriodSeconds");
        spec.Remove("nodeName"); // set through the binding subresource
        return spec;
    }

    static void ValidateWorkload(JsonObject obj, List<FieldError> errors)
    {
        var selector = obj.At("spec", "selector");
        if (selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
            return;
        }
        var labels = obj.At("spec", "template", "metadata", "labels").StringMap();
        var parsed = LabelSelector.FromObject(selector);
        if (parsed is null || parsed.IsEmpty)
            errors.Add(FieldError.InvalidValue("spec.selector", "", "empty selector is invalid for deployment"));
        else if (!parsed.Matches(labels))
            errors.Add(new FieldError("spec.template.metadata.labels", "FieldValueInvalid",
                $"Invalid value: map[string]string{{{string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"\"{l.Key}\":\"{l.Value}\""))}}}: `selector` does not match template `labels`"));
        ValidatePodSpec(obj.At("spec", "template", "spec") as JsonObject, "spec.template.spec", errors);
    }
}
