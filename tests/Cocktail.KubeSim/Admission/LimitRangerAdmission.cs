using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// The LimitRanger plugin: a namespace's LimitRange (type Container) fills in default limits and requests for
/// containers that lack them (noting it in the kubernetes.io/limit-ranger annotation) and refuses pods outside
/// min/max with the plugin's messages.
/// </summary>
internal sealed class LimitRangerAdmission(ClusterRuntime cluster) : IMutatingAdmission
{
    public void Admit(AdmissionRequest request)
    {
        if (request.Type.StorageKey != "/pods" || request.Operation != "CREATE" || request.Object is null) return;
        var ranges = cluster.Store.List("/limitranges", request.Namespace).Items;
        if (ranges.Count == 0) return;
        var notes = new List<string>();
        foreach (var stored in ranges)
            foreach (var limit in stored.Parse().At("spec", "limits").Objects().Where(l => l.Str("type") == "Container"))
            {
                var defaults = limit["default"].StringMap();
                var defaultRequests = limit["defaultRequest"].StringMap();
                foreach (var (k, v) in defaults) defaultRequests.TryAdd(k, v); // defaultRequest defaults to default
                foreach (var container in request.Object.At("spec", "containers").Objects())
                {
                    var resources = container["resources"] as JsonObject ?? (JsonObject)(container["resources"] = new JsonObject());
                    var setRequests = Fill(resources, "requests", defaultRequests);
                    var setLimits = Fill(resources, "limits", defaults);
                    if (setRequests.Count > 0) notes.Add($"{string.Join(", ", setRequests)} request for container {container.Str("name")}");
                    if (setLimits.Count > 0) notes.Add($"{string.Join(", ", setLimits)} limit for container {container.Str("name")}");
                    CheckBounds(request, container, limit);
                }
            }
        if (notes.Count > 0)
            request.Object.Obj("metadata").Obj("annotations")["kubernetes.io/limit-ranger"] = "LimitRanger plugin set: " + string.Join("; ", notes);
        request.Object.Obj("status")["qosClass"] = ObjectDefaulting.QosClass(request.Object.Obj("spec"));
    }

    static List<string> Fill(JsonObject resources, string field, Dictionary<string, string> defaults)
    {
        var set = new List<string>();
        if (defaults.Count == 0) return set;
        var target = resources[field] as JsonObject ?? new JsonObject();
        foreach (var (k, v) in defaults.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (target.ContainsKey(k)) continue;
            target[k] = v;
            set.Add(k);
        }
        if (target.Count > 0) resources[field] = target;
        return set;
    }

    static void CheckBounds(AdmissionRequest request, JsonObject container, JsonObject limit)
    {
        foreach (var (resource, max) in limit["max"].StringMap())
        {
            var value = container.Str("resources", "limits", resource);
            if (value is null)
                throw ApiException.Forbidden("", "pods", request.Name, $"maximum {resource} usage per Container is {max}.  No limit is specified");
            if (Quantity.Parse(value).Value > Quantity.Parse(max).Value)
                throw ApiException.Forbidden("", "pods", request.Name, $"maximum {resource} usage per Container is {max}, but limit is {value}");
        }
        foreach (var (resource, min) in limit["min"].StringMap())
        {
            var value = container.Str("resources", "requests", resource);
            if (value is null)
                throw ApiException.Forbidden("", "pods", request.Name, $"minimum {resource} usage per Container is {min}.  No request is specified");
            if (Quantity.Parse(value).Value < Quantity.Parse(min).Value)
                throw ApiException.Forbidden("", "pods", request.Name, $"minimum {resource} usage per Container is {min}, but request is {value}");
        }
    }
}
