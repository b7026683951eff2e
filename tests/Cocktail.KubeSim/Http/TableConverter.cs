using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// Server-side printing (meta.k8s.io/v1 Table) for <c>kubectl get</c>, with the columns the apiserver's printers
/// define for the common kinds and NAME/AGE (or NAME/CREATED AT for custom resources) otherwise.
/// </summary>
internal static class TableConverter
{
    sealed record Column(string Name, string Type, string Description, Func<JsonObject, DateTimeOffset, JsonNode?> Cell, int Priority = 0, string Format = "");

    static Column Name() => new("Name", "string", "Name must be unique within a namespace.", (o, _) => o.Name(), Format: "name");
    static Column Age() => new("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created.",
        (o, now) => HumanAge(o.Str("metadata", "creationTimestamp"), now));

    static readonly Dictionary<string, Column[]> Printers = new()
    {
        ["/pods"] =
        [
            Name(),
            new("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.", (o, _) =>
                $"{o.At("status", "containerStatuses").Objects().Count(c => c.Bool("ready") == true)}/{o.At("spec", "containers").Objects().Count()}"),
            new("Status", "string", "The aggregate status of the containers in this pod.", (o, _) => PodStatus(o)),
            new("Restarts", "string", "The number of times the containers in this pod have been restarted.", (o, _) =>
                o.At("status", "containerStatuses").Objects().Sum(c => c.Long("restartCount") ?? 0).ToString()),
            Age(),
            new("IP", "string", "The IP address assigned to the pod.", (o, _) => o.Str("status", "podIP") ?? "<none>", 1),
            new("Node", "string", "The name of the node this pod is scheduled to.", (o, _) => o.Str("spec", "nodeName") ?? "<none>", 1),
            new("Nominated Node", "string", "Nominated node.", (o, _) => "<none>", 1),
            new("Readiness Gates", "string", "Readiness gates.", (o, _) => "<none>", 1),
        ],
        ["/nodes"] =
        [
            Name(),
            new("Status", "string", "The status of the node", (o, _) =>
                o.At("status", "conditions").Objects().Any(c => c.Str("type") == "Ready" && c.Str("status") == "True")
                    ? o.Bool("spec", "unschedulable") == true ? "Ready,SchedulingDisabled" : "Ready" : "NotReady"),
            new("Roles", "string", "The roles of the node", (o, _) =>
                string.Join(",", o.At("metadata", "labels").StringMap().Keys.Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal)).Select(k => k["node-role.kubernetes.io/".Length..])) is { Length: > 0 } r ? r : "<none>"),
            Age(),
            new("Version", "string", "Kubelet Version reported by the node.", (o, _) => o.Str("status", "nodeInfo", "kubeletVersion") ?? ""),
            new("Internal-IP", "string", "Internal IP.", (o, _) => o.At("status", "addresses").Objects().FirstOrDefault(a => a.Str("type") == "InternalIP").Str("address") ?? "<none>", 1),
        ],
        ["/namespaces"] = [Name(), new("Status", "string", "The status of the namespace", (o, _) => o.Str("status", "phase") ?? ""), Age()],
        ["/configmaps"] = [Name(), new("Data", "integer", "Number of data entries", (o, _) => (o["data"] as JsonObject)?.Count + (o["binaryData"] as JsonObject)?.Count ?? (o["data"] as JsonObject)?.Count ?? 0), Age()],
        ["/secrets"] =
        [
            Name(), new("Type", "string", "The type of the secret", (o, _) => o.Str("type") ?? ""),
            new("Data", "integer", "Number of data entries", (o, _) => (o["data"] as JsonObject)?.Count ?? 0), Age(),
        ],
        ["/serviceaccounts"] = [Name(), new("Secrets", "string", "Secrets", (o, _) => (o["secrets"] as JsonArray)?.Count ?? 0), Age()],
        ["/services"] =
        [
            Name(), new("Type", "string", "The type of the service", (o, _) => o.Str("spec", "type") ?? ""),
            new("Cluster-IP", "string", "Cluster IP", (o, _) => o.Str("spec", "clusterIP") ?? "<none>"),
            new("External-IP", "string", "External IP", (o, _) => "<none>"),
            new("Port(s)", "string", "Ports", (o, _) => string.Join(",", o.At("spec", "ports").Objects().Select(p =>
                $"{p.Long("port")}{(p.Long("nodePort") is { } np ? $":{np}" : "")}/{p.Str("protocol") ?? "TCP"}")) is { Length: > 0 } ports ? ports : "<none>"),
            Age(),
        ],
        ["apps/deployments"] =
        [
            Name(),
            new("Ready", "string", "Ready replicas", (o, _) => $"{o.Long("status", "readyReplicas") ?? 0}/{o.Long("spec", "replicas") ?? 0}"),
            new("Up-to-date", "integer", "Updated replicas", (o, _) => o.Long("status", "updatedReplicas") ?? 0),
            new("Available", "integer", "Available replicas", (o, _) => o.Long("status", "availableReplicas") ?? 0),
            Age(),
            new("Containers", "string", "Containers", (o, _) => string.Join(",", o.At("spec", "template", "spec", "containers").Objects().Select(c => c.Str("name"))), 1),
            new("Images", "string", "Images", (o, _) => string.Join(",", o.At("spec", "template", "spec", "containers").Objects().Select(c => c.Str("image"))), 1),
        ],
        ["apps/replicasets"] =
        [
            Name(), new("Desired", "integer", "Desired", (o, _) => o.Long("spec", "replicas") ?? 0),
            new("Current", "integer", "Current", (o, _) => o.Long("status", "replicas") ?? 0),
            new("Ready", "integer", "Ready", (o, _) => o.Long("status", "readyReplicas") ?? 0), Age(),
        ],
        ["apps/statefulsets"] = [Name(), new("Ready", "string", "Ready", (o, _) => $"{o.Long("status", "readyReplicas") ?? 0}/{o.Long("spec", "replicas") ?? 0}"), Age()],
        ["apps/daemonsets"] =
        [
            Name(), new("Desired", "integer", "Desired", (o, _) => o.Long("status", "desiredNumberScheduled") ?? 0),
            new("Current", "integer", "Current", (o, _) => o.Long("status", "currentNumberScheduled") ?? 0),
            new("Ready", "integer", "Ready", (o, _) => o.Long("status", "numberReady") ?? 0),
            new("Up-to-date", "integer", "Up to date", (o, _) => o.Long("status", "updatedNumberScheduled") ?? 0),
            new("Available", "integer", "Available", (o, _) => o.Long("status", "numberAvailable") ?? 0),
            new("Node Selector", "string", "Node selector", (o, _) => string.Join(",", o.At("spec", "template", "spec", "nodeSelector").StringMap().Select(kv => $"{kv.Key}={kv.Value}")) is { Length: > 0 } s ? s : "<none>"),
            Age(),
        ],
        ["batch/jobs"] =
        [
            Name(),
            new("Status", "string", "Status", (o, _) => o.At("status", "conditions").Objects().Any(c => c.Str("type") == "Complete" && c.Str("status") == "True") ? "Complete"
                : o.At("status", "conditions").Objects().Any(c => c.Str("type") == "Failed" && c.Str("status") == "True") ? "Failed" : "Running"),
            new("Completions", "string", "Completions", (o, _) => $"{o.Long("status", "succeeded") ?? 0}/{o.Long("spec", "completions") ?? 1}"),
            new("Duration", "string", "Duration", (o, now) => HumanAge(o.Str("status", "startTime"), o.Str("status", "completionTime") is { } c ? DateTimeOffset.Parse(c) : now)),
            Age(),
        ],
        ["batch/cronjobs"] =
        [
            Name(), new("Schedule", "string", "The schedule", (o, _) => o.Str("spec", "schedule") ?? ""),
            new("Timezone", "string", "The time zone", (o, _) => o.Str("spec", "timeZone") ?? "<none>"),
            new("Suspend", "boolean", "Suspended", (o, _) => o.Bool("spec", "suspend") ?? false),
            new("Active", "integer", "Active jobs", (o, _) => (o.At("status", "active") as JsonArray)?.Count ?? 0),
            new("Last Schedule", "date", "Last schedule", (o, now) => o.Str("status", "lastScheduleTime") is { } t ? HumanAge(t, now) : "<none>"),
            Age(),
        ],
        ["autoscaling/horizontalpodautoscalers"] =
        [
            Name(),
            new("Reference", "string", "Target", (o, _) => $"{o.Str("spec", "scaleTargetRef", "kind")}/{o.Str("spec", "scaleTargetRef", "name")}"),
            new("Targets", "string", "Metrics", (o, _) => o.At("status", "currentMetrics").Objects().FirstOrDefault()?.Long("resource", "current", "averageUtilization") is { } u
                ? $"cpu: {u}%/{o.At("spec", "metrics").Objects().FirstOrDefault()?.Long("resource", "target", "averageUtilization")}%" : "cpu: <unknown>"),
            new("MinPods", "integer", "Minimum", (o, _) => o.Long("spec", "minReplicas") ?? 1),
            new("MaxPods", "integer", "Maximum", (o, _) => o.Long("spec", "maxReplicas") ?? 0),
            new("Replicas", "integer", "Current", (o, _) => o.Long("status", "currentReplicas") ?? 0),
            Age(),
        ],
        ["events"] =
        [
            new("Last Seen", "string", "Last seen", (o, now) => HumanAge(o.Str("lastTimestamp") ?? o.Str("eventTime") ?? o.Str("metadata", "creationTimestamp"), now)),
            new("Type", "string", "Type", (o, _) => o.Str("type") ?? ""),
            new("Reason", "string", "Reason", (o, _) => o.Str("reason") ?? ""),
            new("Object", "string", "Object", (o, _) => $"{o.Str("involvedObject", "kind")?.ToLowerInvariant()}/{o.Str("involvedObject", "name")}"),
            new("Message", "string", "Message", (o, _) => o.Str("message") ?? ""),
        ],
        ["/resourcequotas"] =
        [
            Name(), Age(),
            new("Request", "string", "Request", (o, _) => QuotaSummary(o, k => !k.StartsWith("limits.", StringComparison.Ordinal))),
            new("Limit", "string", "Limit", (o, _) => QuotaSummary(o, k => k.StartsWith("limits.", StringComparison.Ordinal))),
        ],
    };

    static string QuotaSummary(JsonObject quota, Func<string, bool> include)
    {
        var used = quota.At("status", "used").StringMap();
        return string.Join(", ", quota.At("status", "hard").StringMap().Where(h => include(h.Key)).OrderBy(h => h.Key, StringComparer.Ordinal)
            .Select(h => $"{h.Key}: {used.GetValueOrDefault(h.Key, "0")}/{h.Value}"));
    }

    public static JsonObject Convert(ResourceType type, JsonObject objOrList, string includeObject, DateTimeOffset now)
    {
        var columns = type.Custom is { } custom ? CustomColumns(custom.PrinterColumns) : Printers.GetValueOrDefault(type.StorageKey) ?? [Name(), Age()];
        var isList = objOrList["items"] is JsonArray;
        var items = isList ? objOrList["items"].Objects().ToList() : [objOrList];
        var rows = new JsonArray();
        foreach (var item in items)
        {
            var row = new JsonObject { ["cells"] = new JsonArray(columns.Select(c => c.Cell(item, now)).ToArray()) };
            row["object"] = includeObject switch
            {
                "None" => null,
                "Object" => ObjectMetadata.WithTypeMeta(item.CloneObject(), type.Kind, type.GroupVersion),
                _ => new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = item["metadata"]?.DeepClone(),
                },
            };
            rows.Add(row);
        }
        var meta = new JsonObject();
        if (objOrList.Str("metadata", "resourceVersion") is { } rv) meta["resourceVersion"] = rv;
        if (isList && objOrList.Str("metadata", "continue") is { } cont) meta["continue"] = cont;
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = meta,
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Format, ["description"] = c.Description, ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = rows,
        };
    }

    /// <summary>
    /// A CRD version's additionalPrinterColumns as apiextensions' tableconvertor serves them: Name, then each column
    /// with its type, format, priority and description; a cell is the first value the JSONPath finds (none: null),
    /// strings printed as jsonpath prints them, integers/numbers/booleans kept when of that JSON type, dates as ages.
    /// Without columns the apiserver serves one Age column (serveDefaultColumnsIfEmpty).
    /// </summary>
    static Column[] CustomColumns(JsonArray? printerColumns)
    {
        var definitions = printerColumns is { Count: > 0 }
            ? printerColumns.Objects().ToList()
            : [new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp",
                ["description"] = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" }];
        var columns = new List<Column> { Name() };
        foreach (var c in definitions)
        {
            var path = new JsonPathColumn(c.Str("jsonPath") ?? "");
            var type = c.Str("type") ?? "string";
            columns.Add(new Column(c.Str("name") ?? "", type, c.Str("description") ?? "", (o, now) =>
            {
                var found = path.Find(o);
                if (found.Count == 0 || found[0] is not { } value) return null;
                return type switch
                {
                    "string" => JsonPathColumn.Text(value),
                    "integer" when value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number => (long)v.GetValue<double>(),
                    "number" when value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.GetValue<double>(),
                    "boolean" when value is JsonValue v && v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => v.GetValue<bool>(),
                    "date" when value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String =>
                        DateTimeOffset.TryParse(v.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _)
                            ? HumanAge(v.GetValue<string>(), now) : "<invalid>",
                    _ => null,
                };
            }, (int)(c.Long("priority") ?? 0), c.Str("format") ?? ""));
        }
        return [.. columns];
    }

    static string PodStatus(JsonObject pod)
    {
        if (pod.IsDeleting()) return "Terminating";
        var waiting = pod.At("status", "containerStatuses").Objects().Select(c => c.Str("state", "waiting", "reason")).FirstOrDefault(r => r is not null);
        if (waiting is not null) return waiting;
        var terminated = pod.At("status", "containerStatuses").Objects().Select(c => c.Str("state", "terminated", "reason")).FirstOrDefault(r => r is not null);
        if (terminated is not null && pod.Str("status", "phase") is "Succeeded" or "Failed") return terminated;
        if (pod.Str("status", "reason") is { } reason) return reason;
        return pod.Str("status", "phase") ?? "Pending";
    }

    /// <summary>duration.HumanDuration: "45s", "5m12s", "3h", "2d5h"...</summary>
    public static string HumanAge(string? timestamp, DateTimeOffset now)
    {
        if (timestamp is null || !DateTimeOffset.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)) return "<unknown>";
        var d = now - t;
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        if (d.TotalSeconds < 120) return $"{(int)d.TotalSeconds}s";
        if (d.TotalMinutes < 10) return d.Seconds == 0 ? $"{(int)d.TotalMinutes}m" : $"{(int)d.TotalMinutes}m{d.Seconds}s";
        if (d.TotalHours < 3) return $"{(int)d.TotalMinutes}m";
        if (d.TotalHours < 8) return d.Minutes == 0 ? $"{(int)d.TotalHours}h" : $"{(int)d.TotalHours}h{d.Minutes}m";
        if (d.TotalHours < 48) return $"{(int)d.TotalHours}h";
        if (d.TotalDays < 8) return d.Hours == 0 ? $"{(int)d.TotalDays}d" : $"{(int)d.TotalDays}d{d.Hours}h";
        return d.TotalDays < 365 * 2 ? $"{(int)d.TotalDays}d" : $"{(int)(d.TotalDays / 365)}y";
    }
}
