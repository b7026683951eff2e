using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Registry;

/// <summary>
/// The defaults the apiserver fills in (pkg/apis/*/v1/defaults.go) and the fields its strategies initialise, so
/// objects read back look like a real cluster's: pod spec defaults, deployment strategy, service cluster IPs...
/// </summary>
public static class ObjectDefaulting
{
    public static void OnCreate(ResourceType type, JsonObject obj, ObjectRegistry registry)
    {
        switch (type.StorageKey)
        {
            case "/pods":
                DefaultPodSpec(obj.Obj("spec"));
                obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(obj.Obj("spec")) };
                break;
            case "/namespaces":
                obj.Obj("spec")["finalizers"] = new JsonArray("kubernetes");
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                obj.Meta().Obj("labels")["kubernetes.io/metadata.name"] = obj.Name();
                break;
            case "/services":
                DefaultService(obj, registry);
                break;
            case "/secrets":
                if (obj.Str("type") is null) obj["type"] = "Opaque";
                break;
            case "apps/deployments":
                DefaultDeployment(obj.Obj("spec"));
                obj["status"] = new JsonObject();
                break;
            case "apps/replicasets" or "apps/daemonsets" or "apps/statefulsets":
                DefaultWorkload(type.Resource, obj.Obj("spec"));
                obj["status"] = new JsonObject { ["replicas"] = 0 };
                if (type.Resource == "daemonsets")
                    obj["status"] = new JsonObject { ["currentNumberScheduled"] = 0, ["desiredNumberScheduled"] = 0, ["numberMisscheduled"] = 0, ["numberReady"] = 0 };
                break;
            case "batch/jobs":
                DefaultJob(obj);
                obj["status"] = new JsonObject();
                break;
            case "batch/cronjobs":
                var cron = obj.Obj("spec");
                cron["concurrencyPolicy"] ??= "Allow";
                cron["suspend"] ??= false;
                cron["successfulJobsHistoryLimit"] ??= 3;
                cron["failedJobsHistoryLimit"] ??= 1;
                break;
            case "/persistentvolumeclaims":
                obj["status"] = new JsonObject { ["phase"] = "Pending" };
                obj.Obj("spec")["volumeMode"] ??= "Filesystem";
                break;
            case "/resourcequotas":
                // The quota strategy's PrepareForCreate clears status: status.hard is the resourcequota controller's to
                // write, and admission enforces nothing until it has.
                obj["status"] = new JsonObject();
                break;
            case "/events":
                obj["count"] ??= 1;
                break;
        }
    }

    public static void OnUpdate(ResourceType type, JsonObject obj, JsonObject old, ObjectRegistry registry)
    {
        switch (type.StorageKey)
        {
            case "/services":
                foreach (var k in new[] { "clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy" })
                    if (obj.At("spec", k) is null && old.At("spec", k) is { } v) obj.Obj("spec")[k] = v.DeepClone();
                DefaultServicePorts(obj.Obj("spec"));
                break;
            case "/namespaces":
                if (obj.At("spec", "finalizers") is null && old.At("spec", "finalizers") is { } f) obj.Obj("spec")["finalizers"] = f.DeepClone();
                break;
            case "apps/deployments":
                DefaultDeployment(obj.Obj("spec"));
                break;
            case "apps/replicasets" or "apps/daemonsets" or "apps/statefulsets":
                DefaultWorkload(type.Resource, obj.Obj("spec"));
                break;
            case "/pods":
                if (obj["spec"] is JsonObject podSpec) DefaultPodSpec(podSpec);
                break;
        }
    }

    public static void DefaultPodSpec(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
        spec["enableServiceLinks"] ??= true;
        spec["preemptionPolicy"] ??= "PreemptLowerPriority";
        spec["priority"] ??= 0;
        if (spec.Str("serviceAccountName") is null) spec["serviceAccountName"] = spec.Str("serviceAccount") ?? "default";
        spec["serviceAccount"] ??= spec.Str("serviceAccountName");
        foreach (var list in new[] { "initContainers", "containers" })
            foreach (var c in spec[list].Objects()) DefaultContainer(c);
        if (spec["tolerations"] is null)
            spec["tolerations"] = new JsonArray(
                Toleration("node.kubernetes.io/not-ready"), Toleration("node.kubernetes.io/unreachable"));
    }

    static JsonObject Toleration(string key) => new()
    {
        ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300,
    };

    static void DefaultContainer(JsonObject c)
    {
        var image = c.Str("image") ?? "";
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var tag = lastSegment.Contains(':') ? lastSegment[(lastSegment.IndexOf(':') + 1)..] : "latest";
        c["imagePullPolicy"] ??= tag == "latest" && !image.Contains('@') ? "Always" : "IfNotPresent";
        c["terminationMessagePath"] ??= "/dev/termination-log";
        c["terminationMessagePolicy"] ??= "File";
        c["resources"] ??= new JsonObject();
        foreach (var p in c["ports"].Objects()) p["protocol"] ??= "TCP";
        // Limits without requests make requests equal to limits, as the apiserver defaults them.
        if (c.At("resources", "limits") is JsonObject limits)
        {
            var requests = ((JsonObject)c["resources"]!).Obj("requests");
            foreach (var (k, v) in limits) requests[k] ??= v?.DeepClone();
        }
    }

    public static string QosClass(JsonObject spec)
    {
        var containers = spec["containers"].Objects().ToList();
        var anySet = containers.Any(c => c.At("resources", "requests") is JsonObject { Count: > 0 } || c.At("resources", "limits") is JsonObject { Count: > 0 });
        if (!anySet) return "BestEffort";
        var guaranteed = containers.All(c =>
        {
            var limits = c.At("resources", "limits").StringMap();
            var requests = c.At("resources", "requests").StringMap();
            return limits.ContainsKey("cpu") && limits.ContainsKey("memory") &&
                   requests.GetValueOrDefault("cpu") == limits["cpu"] && requests.GetValueOrDefault("memory") == limits["memory"];
        });
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    static void DefaultService(JsonObject svc, ObjectRegistry registry)
    {
        var spec = svc.Obj("spec");
        spec["type"] ??= "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        if (spec.Str("type") != "ExternalName")
        {
            if (spec.Str("clusterIP") is null or "")
            {
                spec["clusterIP"] = registry.AllocateServiceIp();
            }
            spec["clusterIPs"] ??= new JsonArray(spec.Str("clusterIP"));
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
            spec["internalTrafficPolicy"] ??= "Cluster";
        }
        DefaultServicePorts(spec);
        svc["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    static void DefaultServicePorts(JsonObject spec)
    {
        var nodePort = 30000;
        foreach (var p in spec["ports"].Objects())
        {
            p["protocol"] ??= "TCP";
            p["targetPort"] ??= p["port"]?.DeepClone();
            if (spec.Str("type") is "NodePort" or "LoadBalancer" && p["nodePort"] is null)
                p["nodePort"] = nodePort + Random.Shared.Next(2767);
        }
    }

    static void DefaultDeployment(JsonObject spec)
    {
        spec["replicas"] ??= 1;
        spec["revisionHistoryLimit"] ??= 10;
        spec["progressDeadlineSeconds"] ??= 600;
        var strategy = spec["strategy"] as JsonObject ?? (JsonObject)(spec["strategy"] = new JsonObject());
        strategy["type"] ??= "RollingUpdate";
        if (strategy.Str("type") == "RollingUpdate")
        {
            var rolling = strategy.Obj("rollingUpdate");
            rolling["maxUnavailable"] ??= "25%";
            rolling["maxSurge"] ??= "25%";
        }
        DefaultTemplate(spec);
    }

    static void DefaultWorkload(string resource, JsonObject spec)
    {
        if (resource != "daemonsets") spec["replicas"] ??= 1;
        if (resource == "statefulsets")
        {
            spec["podManagementPolicy"] ??= "OrderedReady";
            spec["revisionHistoryLimit"] ??= 10;
            spec["persistentVolumeClaimRetentionPolicy"] ??= new JsonObject { ["whenDeleted"] = "Retain", ["whenScaled"] = "Retain" };
            spec["updateStrategy"] ??= new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["partition"] = 0 } };
        }
        if (resource == "daemonsets")
        {
            spec["revisionHistoryLimit"] ??= 10;
            spec["updateStrategy"] ??= new JsonObject
            {
                ["type"] = "RollingUpdate",
                ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = 1, ["maxSurge"] = 0 },
            };
        }
        DefaultTemplate(spec);
    }

    static void DefaultTemplate(JsonObject spec)
    {
        if (spec.At("template", "spec") is JsonObject podSpec) DefaultPodSpec(podSpec);
        if (spec["template"] is JsonObject template) template.Obj("metadata").Remove("creationTimestamp");
    }

    static void DefaultJob(JsonObject job)
    {
        var spec = job.Obj("spec");
        spec["completions"] ??= 1;
        spec["parallelism"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        spec["podReplacementPolicy"] ??= "TerminatingOrFailed";
        var uid = job.Uid();
        var templateLabels = spec.Obj("template").Obj("metadata").Obj("labels");
        templateLabels["batch.kubernetes.io/controller-uid"] = uid;
        templateLabels["batch.kubernetes.io/job-name"] = job.Name();
        templateLabels["controller-uid"] = uid;
        templateLabels["job-name"] = job.Name();
        spec["selector"] ??= new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
        if (spec.At("template", "spec") is JsonObject podSpec) DefaultPodSpec(podSpec);
    }
}
