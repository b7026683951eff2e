using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers;

/// <summary>Records core/v1 Events the way client-go's event recorder does (name = object name + hex timestamp).</summary>
internal sealed class EventRecorder(ClusterRuntime cluster)
{
    static long _lastNanos;

    /// <summary>UnixNano like client-go, kept strictly increasing so names sort in recording order.</summary>
    static long NextNanos(DateTimeOffset now)
    {
        var candidate = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        long last, next;
        do
        {
            last = Interlocked.Read(ref _lastNanos);
            next = Math.Max(candidate, last + 1);
        } while (Interlocked.CompareExchange(ref _lastNanos, next, last) != last);
        return next;
    }

    public void Normal(JsonObject involved, string kind, string reason, string message, string component, string? host = null, string? fieldPath = null) =>
        Record(involved, kind, "Normal", reason, message, component, host, fieldPath);

    public void Warning(JsonObject involved, string kind, string reason, string message, string component, string? host = null, string? fieldPath = null) =>
        Record(involved, kind, "Warning", reason, message, component, host, fieldPath);

    void Record(JsonObject involved, string kind, string type, string reason, string message, string component, string? host, string? fieldPath)
    {
        var now = cluster.Time.GetUtcNow();
        var ns = involved.Namespace().Length > 0 ? involved.Namespace() : "default";
        var involvedRef = new JsonObject
        {
            ["kind"] = kind,
            ["namespace"] = involved.Namespace().Length > 0 ? involved.Namespace() : null,
            ["name"] = involved.Name(),
            ["uid"] = involved.Uid(),
            ["apiVersion"] = involved.Str("apiVersion") ?? ApiVersionOf(kind),
            ["resourceVersion"] = involved.Str("metadata", "resourceVersion"),
        };
        if (involvedRef["namespace"] is null) involvedRef.Remove("namespace");
        if (fieldPath is not null) involvedRef["fieldPath"] = fieldPath;
        var source = new JsonObject { ["component"] = component };
        if (host is not null) source["host"] = host;
        var ev = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = $"{involved.Name()}.{NextNanos(now):x}", ["namespace"] = ns },
            ["involvedObject"] = involvedRef,
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = source,
            ["firstTimestamp"] = ObjectMetadata.Timestamp(now),
            ["lastTimestamp"] = ObjectMetadata.Timestamp(now),
            ["count"] = 1,
            ["type"] = type,
            ["eventTime"] = null,
            ["reportingComponent"] = component,
            ["reportingInstance"] = host ?? "",
        };
        try
        {
            cluster.Registry.Create(cluster.Type("", "events"), ns, ev, WriteOptions.Internal(component));
        }
        catch (Http.ApiException)
        {
            // Events are best effort: a terminating namespace refuses them, exactly as it does on a real cluster.
        }
    }

    static string ApiVersionOf(string kind) => kind switch
    {
        "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" => "apps/v1",
        "Job" or "CronJob" => "batch/v1",
        "HorizontalPodAutoscaler" => "autoscaling/v2",
        _ => "v1",
    };
}
