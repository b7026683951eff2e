using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Storage;

/// <summary>
/// Field selectors support only <c>=</c>, <c>==</c> and <c>!=</c> on the fields each resource declares selectable;
/// other fields are refused with the apiserver's BadRequest message: a kind with its own field label conversion
/// (pods, events, secrets...) says <c>field label not supported: X</c>; every other kind goes through
/// runtime.DefaultMetaV1FieldSelectorConversion, which says <c>"X" is not a known field selector: only
/// "metadata.name", "metadata.namespace"</c>.
/// </summary>
public sealed class FieldSelector
{
    readonly List<(string Field, string Value, bool Negated)> _terms = [];

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>The metadata.name a selector pins, which lets watches of a single object stay cheap.</summary>
    public string? ExactName => _terms.FirstOrDefault(t => t.Field == "metadata.name" && !t.Negated).Value;

    public static FieldSelector Parse(string? text, string resource, string group)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text)) return selector;
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            if (term.Length == 0) continue;
            var negated = term.Contains("!=");
            var parts = term.Split(negated ? "!=" : term.Contains("==") ? "==" : "=", 2);
            if (parts.Length != 2)
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            var field = parts[0].Trim();
            if (!IsSelectable(resource, group, field))
                throw ApiException.BadRequest(ExtraFields.ContainsKey($"{group}/{resource}")
                    ? $"field label not supported: {field}"
                    : $"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
            selector._terms.Add((field, parts[1].Trim(), negated));
        }
        return selector;
    }

    public bool Matches(JsonObject obj) => _terms.All(t => (ValueOf(obj, t.Field) == t.Value) != t.Negated);

    static readonly Dictionary<string, string[]> ExtraFields = new()
    {
        ["/pods"] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"],
        ["/events"] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
            "reportingComponent", "source", "type"],
        ["events.k8s.io/events"] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
            "involvedObject.uid", "reason", "type", "regarding.kind", "regarding.name", "regarding.namespace"],
        ["/secrets"] = ["type"],
        ["/namespaces"] = ["status.phase"],
        ["/nodes"] = ["spec.unschedulable"],
        ["/replicationcontrollers"] = ["status.replicas"],
        ["apps/replicasets"] = ["status.replicas"],
        ["batch/jobs"] = ["status.successful"],
        ["certificates.k8s.io/certificatesigningrequests"] = ["spec.signerName"],
    };

    static bool IsSelectable(string resource, string group, string field) =>
        field is "metadata.name" or "metadata.namespace" ||
        (ExtraFields.TryGetValue($"{group}/{resource}", out var fields) && fields.Contains(field));

    static string ValueOf(JsonObject obj, string field)
    {
        if (field == "source") return obj.Str("source", "component") ?? obj.Str("reportingComponent") ?? "";
        if (field is "spec.hostNetwork" or "spec.unschedulable")
            return (obj.Bool(field.Split('.')) ?? false) ? "true" : "false";
        if (field == "status.successful") return (obj.Long("status", "succeeded") ?? 0).ToString();
        if (field == "status.replicas") return (obj.Long("status", "replicas") ?? 0).ToString();
        if (field.StartsWith("regarding.", StringComparison.Ordinal))
            return obj.Str("involvedObject", field["regarding.".Length..]) ?? "";
        return obj.Str(field.Split('.')) ?? "";
    }
}
