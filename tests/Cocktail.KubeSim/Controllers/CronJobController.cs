using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The cronjob controller: at each scheduled minute (UTC) a Job named name-&lt;minutes since epoch&gt; is created from
/// the jobTemplate (honouring suspend and the Forbid/Replace concurrency policies), status tracks active jobs and the
/// last schedule/success times, and finished jobs beyond the history limits are deleted.
/// </summary>
internal sealed class CronJobController(ClusterRuntime cluster) : Controller(cluster)
{
    readonly EventRecorder _events = new(cluster);
    /// <summary>When each key's pending timer fires; a nearer schedule (say, an edited spec.schedule) adds an earlier one.</summary>
    readonly Dictionary<string, DateTimeOffset> _timers = [];
    readonly HashSet<string> _seenFinished = [];

    public override void Start()
    {
        foreach (var c in Cluster.Store.List("batch/cronjobs", null).Items) Enqueue(KeyOf(c));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "batch/cronjobs" && change.Type != "DELETED") yield return KeyOf(change.Object);
        else if (change.Object.StorageKey == "batch/jobs" && Workloads.OwnerKey(change.Object, "CronJob") is { } owner) yield return owner;
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var type = Cluster.Type("batch", "cronjobs");
        var cron = Cluster.Registry.TryGet(type, ns, name);
        if (cron is null || cron.IsDeleting()) return;
        var schedule = CronSchedule.TryParse(cron.Str("spec", "schedule") ?? "");
        if (schedule is null) return;
        var jobType = Cluster.Type("batch", "jobs");
        var jobs = Workloads.OwnedBy(Cluster, "batch/jobs", ns, cron.Uid());
        var now = Cluster.Time.GetUtcNow();
        var lastScheduled = cron.Str("status", "lastScheduleTime") ?? cron.Str("metadata", "creationTimestamp");
        var next = schedule.Next(DateTimeOffset.Parse(lastScheduled!, System.Globalization.CultureInfo.InvariantCulture));
        // Like the real controller, only the most recent missed start time is run.
        for (var missed = 0; missed < 100 && schedule.Next(next) <= now; missed++) next = schedule.Next(next);
        string? scheduledAt = null;
        if (next <= now && cron.Bool("spec", "suspend") != true)
        {
            var active = jobs.Where(j => !Finished(j)).ToList();
            var policy = cron.Str("spec", "concurrencyPolicy") ?? "Allow";
            if (policy == "Replace")
                foreach (var j in active)
                    Cluster.Registry.Delete(jobType, ns, j.Name(), new DeleteOptions(WriteOptions.Internal("cronjob-controller")) { PropagationPolicy = "Background" });
            if (policy != "Forbid" || active.Count == 0)
            {
                var jobName = $"{name}-{next.ToUnixTimeSeconds() / 60}";
                if (Cluster.Registry.TryGet(jobType, ns, jobName) is null) CreateJob(cron, jobName, next);
                scheduledAt = ObjectMetadata.Timestamp(next);
            }
        }
        foreach (var finished in jobs.Where(Finished).Where(j => _seenFinished.Add(j.Uid())))
            _events.Normal(cron, "CronJob", "SawCompletedJob", $"Saw completed job: {finished.Name()}, condition: {(Succeeded(finished) ? "Complete" : "Failed")}", "cronjob-controller");
        PruneHistory(cron, jobs);
        jobs = Workloads.OwnedBy(Cluster, "batch/jobs", ns, cron.Uid());
        Workloads.WriteStatus(Cluster, type, cron, "cronjob-controller", c =>
        {
            var status = c.Obj("status");
            if (scheduledAt is not null) status["lastScheduleTime"] = scheduledAt;
            var active = jobs.Where(j => !Finished(j)).Select(j => (JsonNode)new JsonObject
            {
                ["kind"] = "Job", ["namespace"] = ns, ["name"] = j.Name(), ["uid"] = j.Uid(), ["apiVersion"] = "batch/v1",
                ["resourceVersion"] = j.Str("metadata", "resourceVersion"),
            }).ToArray();
            if (active.Length > 0) status["active"] = new JsonArray(active); else status.Remove("active");
            var lastSuccess = jobs.Where(Succeeded).Select(j => j.Str("status", "completionTime")).Where(t => t is not null).Max(StringComparer.Ordinal);
            if (lastSuccess is not null) status["lastSuccessfulTime"] = lastSuccess;
        });
        ScheduleAt(key, scheduledAt is not null || next <= now ? schedule.Next(now) : next);
    }

    void CreateJob(JsonObject cron, string jobName, DateTimeOffset scheduled)
    {
        var template = cron.At("spec", "jobTemplate") as JsonObject ?? new JsonObject();
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        meta["name"] = jobName;
        meta["namespace"] = cron.Namespace();
        meta.Obj("annotations")["batch.kubernetes.io/cronjob-scheduled-timestamp"] = ObjectMetadata.Timestamp(scheduled);
        meta["ownerReferences"] = new JsonArray(ObjectMetadata.OwnerReference(cron, "batch/v1", "CronJob"));
        var job = new JsonObject { ["apiVersion"] = "batch/v1", ["kind"] = "Job", ["metadata"] = meta, ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject() };
        try
        {
            Cluster.Registry.Create(Cluster.Type("batch", "jobs"), cron.Namespace(), job, WriteOptions.Internal("cronjob-controller"));
            _events.Normal(cron, "CronJob", "SuccessfulCreate", $"Created job {jobName}", "cronjob-controller");
        }
        catch (Http.ApiException e)
        {
            _events.Warning(cron, "CronJob", "FailedCreate", $"Error creating job: {e.Message}", "cronjob-controller");
        }
    }

    void PruneHistory(JsonObject cron, List<JsonObject> jobs)
    {
        void Keep(IEnumerable<JsonObject> finished, long limit)
        {
            foreach (var old in finished.OrderByDescending(j => j.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).Skip((int)limit))
            {
                Cluster.Registry.Delete(Cluster.Type("batch", "jobs"), old.Namespace(), old.Name(), new DeleteOptions(WriteOptions.Internal("cronjob-controller")) { PropagationPolicy = "Background" });
                _events.Normal(cron, "CronJob", "SuccessfulDelete", $"Deleted job {old.Name()}", "cronjob-controller");
            }
        }
        Keep(jobs.Where(Succeeded), cron.Long("spec", "successfulJobsHistoryLimit") ?? 3);
        Keep(jobs.Where(j => Finished(j) && !Succeeded(j)), cron.Long("spec", "failedJobsHistoryLimit") ?? 1);
    }

    void ScheduleAt(string key, DateTimeOffset at)
    {
        var now = Cluster.Time.GetUtcNow();
        var due = at - now;
        if (due > TimeSpan.FromDays(1)) due = TimeSpan.FromDays(1); // re-evaluated daily at least
        if (due < TimeSpan.Zero) due = TimeSpan.Zero;
        var fires = now + due;
        if (_timers.TryGetValue(key, out var pending) && pending <= fires) return;
        _timers[key] = fires;
        Schedule(due, () =>
        {
            // A later-superseded timer still fires; only the one the entry names clears it.
            if (_timers.TryGetValue(key, out var current) && current == fires) _timers.Remove(key);
            Enqueue(key);
        });
    }

    static bool Succeeded(JsonObject job) => job.At("status", "conditions").Objects().Any(c => c.Str("type") == "Complete" && c.Str("status") == "True");

    static bool Finished(JsonObject job) => job.At("status", "conditions").Objects().Any(c => c.Str("type") is "Complete" or "Failed" && c.Str("status") == "True");
}
