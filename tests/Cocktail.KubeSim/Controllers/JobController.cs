using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The job controller: runs up to parallelism pods until completions succeeded (conditions SuccessCriteriaMet
/// and Complete) or more than backoffLimit failed (FailureTarget and Failed, reason BackoffLimitExceeded).
/// Whether a pod fails is decided by the kubelet convention (annotation kubesim.cocktail.io/fail: "true").
/// </summary>
internal sealed class JobController(ClusterRuntime cluster) : Controller(cluster)
{
    readonly EventRecorder _events = new(cluster);

    public override void Start()
    {
        foreach (var j in Cluster.Store.List("batch/jobs", null).Items) Enqueue(KeyOf(j));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "batch/jobs" && change.Type != "DELETED") yield return KeyOf(change.Object);
        else if (change.Object.StorageKey == "/pods" && Workloads.OwnerKey(change.Object, "Job") is { } owner) yield return owner;
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var type = Cluster.Type("batch", "jobs");
        var job = Cluster.Registry.TryGet(type, ns, name);
        if (job is null || job.IsDeleting()) return;
        var finished = job.At("status", "conditions").Objects().Any(c => c.Str("type") is "Complete" or "Failed" && c.Str("status") == "True");
        var pods = Workloads.OwnedBy(Cluster, "/pods", ns, job.Uid());
        var succeeded = pods.Count(p => p.Str("status", "phase") == "Succeeded");
        var failed = pods.Count(p => p.Str("status", "phase") == "Failed");
        var active = pods.Where(Workloads.IsActive).ToList();
        var completions = (int)(job.Long("spec", "completions") ?? 1);
        var parallelism = (int)(job.Long("spec", "parallelism") ?? 1);
        var backoffLimit = (int)(job.Long("spec", "backoffLimit") ?? 6);
        var suspended = job.Bool("spec", "suspend") == true;
        var now = ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());
        var complete = succeeded >= completions;
        var failedOut = failed > backoffLimit;
        if (!finished && !complete && !failedOut && !suspended)
        {
            var wanted = Math.Min(parallelism, completions - succeeded) - active.Count;
            for (var i = 0; i < wanted; i++)
            {
                var creation = Workloads.CreatePod(Cluster, job, "Job", "batch/v1", (JsonObject)job.At("spec", "template")!, null, $"{name}-", null, "kube-controller-manager");
                if (creation.Failure is not null)
                {
                    _events.Warning(job, "Job", "FailedCreate", $"Error creating: {creation.Failure.Message}", "job-controller");
                    break;
                }
                _events.Normal(job, "Job", "SuccessfulCreate", $"Created pod: {creation.Pod!.Name()}", "job-controller");
            }
        }
        if (failedOut && !finished)
            foreach (var pod in active)
                Cluster.Registry.Delete(Cluster.Type("", "pods"), ns, pod.Name(), new DeleteOptions(WriteOptions.Internal("kube-controller-manager")));
        active = Workloads.OwnedBy(Cluster, "/pods", ns, job.Uid()).Where(Workloads.IsActive).ToList();
        Workloads.WriteStatus(Cluster, type, job, "kube-controller-manager", j =>
        {
            var status = j.Obj("status");
            status["startTime"] ??= now;
            SetCount(status, "active", active.Count);
            SetCount(status, "succeeded", succeeded);
            SetCount(status, "failed", failed);
            status["ready"] = active.Count(PodResources.IsReady);
            status["terminating"] = 0;
            status["uncountedTerminatedPods"] = new JsonObject();
            if (finished) return;
            if (complete)
            {
                SetJobCondition(j, "SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods", now);
                SetJobCondition(j, "Complete", "CompletionsReached", "Reached expected number of succeeded pods", now);
                status["completionTime"] = now;
            }
            else if (failedOut)
            {
                SetJobCondition(j, "FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
                SetJobCondition(j, "Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
            }
        });
        if (finished) return;
        if (complete) _events.Normal(job, "Job", "Completed", "Job completed", "job-controller");
        else if (failedOut) _events.Warning(job, "Job", "BackoffLimitExceeded", "Job has reached the specified backoff limit", "job-controller");
    }

    static void SetCount(JsonObject status, string field, int value)
    {
        if (value == 0) status.Remove(field); else status[field] = value;
    }

    static void SetJobCondition(JsonObject job, string type, string reason, string message, string now)
    {
        var conditions = job.Obj("status").Arr("conditions");
        if (conditions.Objects().Any(c => c.Str("type") == type)) return;
        conditions.Add(new JsonObject
        {
            ["type"] = type, ["status"] = "True", ["lastProbeTime"] = now, ["lastTransitionTime"] = now,
            ["reason"] = reason, ["message"] = message,
        });
    }
}
