using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) with its bindings: matchConstraints
/// (resourceRules, excludeResourceRules, namespaceSelector, objectSelector), the binding's matchResources,
/// matchConditions, variables and validations evaluated in CEL over object, oldObject, request and
/// namespaceObject. A Deny binding refuses with the apiserver's message
/// "ValidatingAdmissionPolicy 'p' with binding 'b' denied request: ..." (422 Invalid unless the validation names a
/// reason); Warn adds a warning. Parameter resources (paramKind/paramRef) are not supported.
/// </summary>
internal sealed class ValidatingAdmissionPolicyAdmission(ClusterRuntime cluster) : IValidatingAdmission
{
    const string PoliciesKey = "admissionregistration.k8s.io/validatingadmissionpolicies";
    const string BindingsKey = "admissionregistration.k8s.io/validatingadmissionpolicybindings";

    public void Validate(AdmissionRequest request)
    {
        if (request.Type.Group == "admissionregistration.k8s.io" && request.Type.Resource.StartsWith("validatingadmissionpolic", StringComparison.Ordinal)) return;
        var bindings = cluster.Store.List(BindingsKey, null).Items;
        if (bindings.Count == 0) return;
        foreach (var storedBinding in bindings)
        {
            var binding = storedBinding.Parse();
            var policyName = binding.Str("spec", "policyName") ?? "";
            var policy = cluster.Store.Get(PoliciesKey, "", policyName)?.Parse();
            if (policy is null) continue;
            if (!Matches(policy.At("spec", "matchConstraints") as JsonObject, request, required: true)) continue;
            if (binding.At("spec", "matchResources") is JsonObject bindingMatch && !Matches(bindingMatch, request, required: false)) continue;
            Evaluate(policy, binding, request);
        }
    }

    bool Matches(JsonObject? match, AdmissionRequest request, bool required)
    {
        if (match is null) return !required;
        var rules = match["resourceRules"].Objects().ToList();
        if (rules.Count > 0 && !rules.Any(r => RuleMatches(r, request))) return false;
        if (required && rules.Count == 0) return false;
        if (match["excludeResourceRules"].Objects().Any(r => RuleMatches(r, request))) return false;
        if (LabelSelector.FromObject(match["objectSelector"]) is { IsEmpty: false } objectSelector &&
            !objectSelector.Matches((request.Object ?? request.OldObject)!)) return false;
        if (LabelSelector.FromObject(match["namespaceSelector"]) is { IsEmpty: false } namespaceSelector)
        {
            if (!request.Type.Namespaced) return true; // namespaceSelector does not apply to cluster-scoped objects
            var ns = NamespaceObject(request);
            if (ns is null || !namespaceSelector.Matches(ns)) return false;
        }
        return true;
    }

    /// <summary>admission/plugin/webhook/predicates/rules Matcher: apiGroups, apiVersions, operations, resources (with subresource forms) and scope.</summary>
    internal static bool RuleMatches(JsonObject rule, AdmissionRequest request)
    {
        static bool Has(JsonNode? list, string value) => list is JsonArray a && a.Any(v => v?.GetValue<string>() is "*" || v?.GetValue<string>() == value);
        var resource = request.Subresource.Length > 0 ? $"{request.Type.Resource}/{request.Subresource}" : request.Type.Resource;
        var resources = rule["resources"] as JsonArray;
        var resourceMatches = resources is not null && resources.Any(r => r?.GetValue<string>() is { } s &&
            (s == "*" && request.Subresource.Length == 0 || s == resource || s == "*/*" || (s.StartsWith("*/") && s[2..] == request.Subresource)));
        var scope = rule.Str("scope") ?? "*";
        var scopeMatches = scope == "*" || (scope == "Namespaced") == request.Type.Namespaced;
        return Has(rule["apiGroups"], request.Type.Group) && Has(rule["apiVersions"], request.Type.Version) &&
               Has(rule["operations"], request.Operation) && resourceMatches && scopeMatches;
    }

    JsonObject? NamespaceObject(AdmissionRequest request) =>
        request.Namespace.Length == 0 ? null : cluster.Store.Get("/namespaces", "", request.Namespace)?.Parse() is { } ns
            ? ObjectMetadata.WithTypeMeta(ns, "Namespace", "v1") : null;

    void Evaluate(JsonObject policy, JsonObject binding, AdmissionRequest request)
    {
        var variables = new Dictionary<string, object?>
        {
            ["object"] = CelEvaluator.FromJson(request.Object is null ? null : ObjectMetadata.WithTypeMeta(request.Object.CloneObject(), request.Type.Kind, request.Type.GroupVersion)),
            ["oldObject"] = CelEvaluator.FromJson(request.OldObject is null ? null : ObjectMetadata.WithTypeMeta(request.OldObject.CloneObject(), request.Type.Kind, request.Type.GroupVersion)),
            ["request"] = CelEvaluator.FromJson(RequestJson(request)),
            ["params"] = null,
            ["namespaceObject"] = CelEvaluator.FromJson(NamespaceObject(request)),
        };
        var failClosed = policy.Str("spec", "failurePolicy") != "Ignore";
        var actions = binding.At("spec", "validationActions") is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : ["Deny"];
        try
        {
            foreach (var condition in policy.At("spec", "matchConditions").Objects())
                if (CelEvaluator.Evaluate(condition.Str("expression") ?? "true", variables) is false) return;
            var values = new Dictionary<string, object?>();
            variables["variables"] = values;
            foreach (var variable in policy.At("spec", "variables").Objects())
                values[variable.Str("name") ?? ""] = CelEvaluator.Evaluate(variable.Str("expression") ?? "null", variables);
        }
        catch (CelEvaluationException e)
        {
            if (failClosed) Deny(policy, binding, request, actions, $"failed to evaluate: {e.Message}", null);
            return;
        }
        foreach (var validation in policy.At("spec", "validations").Objects())
        {
            var expression = validation.Str("expression") ?? "true";
            string? failure;
            try
            {
                failure = CelEvaluator.Evaluate(expression, variables) is true ? null : Message(validation, variables, expression);
            }
            catch (CelEvaluationException e)
            {
                if (!failClosed) continue;
                failure = $"expression '{expression}' resulted in error: {e.Message}";
            }
            if (failure is not null) Deny(policy, binding, request, actions, failure, validation.Str("reason"));
        }
    }

    static string Message(JsonObject validation, Dictionary<string, object?> variables, string expression)
    {
        if (validation.Str("messageExpression") is { } messageExpression)
        {
            try
            {
                if (CelEvaluator.Evaluate(messageExpression, variables) is string s && s.Trim().Length > 0 && !s.Contains('\n')) return s;
            }
            catch (CelEvaluationException) { }
        }
        return validation.Str("message") ?? $"failed expression: {expression}";
    }

    static void Deny(JsonObject policy, JsonObject binding, AdmissionRequest request, List<string> actions, string message, string? reason)
    {
        var full = $"ValidatingAdmissionPolicy '{policy.Name()}' with binding '{binding.Name()}' denied request: {message}";
        if (actions.Contains("Warn")) request.Warnings.Add($"Validation failed for ValidatingAdmissionPolicy '{policy.Name()}' with binding '{binding.Name()}': {message}");
        if (!actions.Contains("Deny")) return;
        var error = ApiException.Forbidden(request.Type.Group, request.Type.Resource, request.Name.Length > 0 ? request.Name : null, full,
            new JsonArray(new JsonObject { ["message"] = full }));
        reason ??= "Invalid";
        var code = reason switch { "Unauthorized" => 401, "Forbidden" => 403, "Invalid" => 422, "RequestEntityTooLarge" => 413, _ => 400 };
        throw new ApiException(code, reason, error.Message, error.Details);
    }

    static JsonObject RequestJson(AdmissionRequest request) => new()
    {
        ["kind"] = new JsonObject { ["group"] = request.Type.Group, ["version"] = request.Type.Version, ["kind"] = request.Type.Kind },
        ["resource"] = new JsonObject { ["group"] = request.Type.Group, ["version"] = request.Type.Version, ["resource"] = request.Type.Resource },
        ["subResource"] = request.Subresource,
        ["name"] = request.Name,
        ["namespace"] = request.Namespace,
        ["operation"] = request.Operation,
        ["userInfo"] = new JsonObject
        {
            ["username"] = request.User.Name,
            ["uid"] = request.User.Uid,
            ["groups"] = new JsonArray(request.User.Groups.Select(g => (JsonNode)g!).ToArray()),
        },
        ["dryRun"] = request.DryRun,
    };
}
