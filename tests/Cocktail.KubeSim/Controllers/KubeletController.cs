using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The kubelets of all nodes, KWOK-style: a pod bound to a node pulls its images, starts, and becomes Ready after
/// short configurable delays, with the kubelet's events and status. Conventions for unhappy paths:
/// an image whose name contains <c>does-not-exist</c> fails to pull (ErrImagePull, then ImagePullBackOff);
/// a pod annotated <c>kubesim.cocktail.io/crash-loop: "true"</c> ends in CrashLoopBackOff;
/// pods with restartPolicy Never/OnFailure (Jobs) run for <see cref="KubeSimOptions.JobRunDuration"/> and
/// succeed, or fail with exit code 1 when annotated <c>kubesim.cocktail.io/fail: "true"</c>.
/// Deleted pods are stopped (Killing events) and then removed.
/// </summary>
internal sealed class KubeletController(ClusterRuntime cluster) : Controller(cluster)
{
    public const string FailAnnotation = "kubesim.cocktail.io/fail";
    public const string CrashLoopAnnotation = "kubesim.cocktail.io/crash-loop";
    public const string FailingImageMarker = "does-not-exist";

    readonly EventRecorder _events = new(cluster);
    readonly HashSet<string> _inProgress = [];
    readonly Dictionary<string, int> _nextIpByNode = [];
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, CancellationTokenSource> _builds = new();

    ResourceType PodType => Cluster.Type("", "pods");
    KubeSimOptions Options => Cluster.Options;

    public override void Start()
    {
        foreach (var pod in Cluster.Store.List("/pods", null).Items) Enqueue(KeyOf(pod));
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "/pods" && change.Type != "DELETED") yield return KeyOf(change.Object);
    }

    public override void Reconcile(string key)
    {
        var (ns, name) = Split(key);
        var pod = Cluster.Registry.TryGet(PodType, ns, name);
        if (pod is null || pod.Str("spec", "nodeName") is not { Length: > 0 } node) return;
        var uidKey = key + "/" + pod.Uid();
        if (pod.IsDeleting())
        {
            if (_inProgress.Add(uidKey + "/kill")) Kill(pod, node);
            return;
        }
        if (pod.At("status", "containerStatuses") is null && pod.Str("status", "phase") == "Pending" && _inProgress.Add(uidKey + "/start"))
            Schedule(Options.PodStartDelay, () => StartContainers(ns, name, pod.Uid(), node));
    }

    JsonObject? Current(string ns, string name, string uid) =>
        Cluster.Registry.TryGet(PodType, ns, name) is { } p && p.Uid() == uid && !p.IsDeleting() ? p : null;

    void UpdateStatus(JsonObject pod, Action<JsonObject> change) =>
        Cluster.Registry.Mutate(PodType, pod.Namespace(), pod.Name(), WriteOptions.Internal("kubelet"), "status", current =>
        {
            change(current);
            current.Meta().Remove("resourceVersion");
            return current;
        });

    string Now => ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());

    void StartContainers(string ns, string name, string uid, string node)
    {
        if (Current(ns, name, uid) is not { } pod) return;
        var build = BuildInvocation.Of(pod, secret => Cluster.Registry.TryGet(Cluster.Type("", "secrets"), ns, secret));
        var scan = build is null ? ScanInvocation.Of(pod, secret => Cluster.Registry.TryGet(Cluster.Type("", "secrets"), ns, secret)) : null;
        if ((build?.MissingSecret ?? scan?.MissingSecret) is { } missing)
        {
            // As the kubelet: the secret volume cannot be mounted, the pod stays ContainerCreating and the mount is retried.
            _events.Warning(pod, "Pod", "FailedMount", $"MountVolume.SetUp failed for volume \"{missing}\" : secret \"{missing}\" not found", "kubelet", node);
            Schedule(TimeSpan.FromSeconds(1), () => StartContainers(ns, name, uid, node));
            return;
        }
        var containers = pod.At("spec", "containers").Objects().ToList();
        var failing = containers.Where(c => (c.Str("image") ?? "").Contains(FailingImageMarker, StringComparison.Ordinal)).ToList();
        foreach (var c in containers)
        {
            var fieldPath = $"spec.containers{{{c.Str("name")}}}";
            _events.Normal(pod, "Pod", "Pulling", $"Pulling image \"{c.Str("image")}\"", "kubelet", node, fieldPath);
            if (failing.Contains(c)) continue;
            _events.Normal(pod, "Pod", "Pulled", $"Successfully pulled image \"{c.Str("image")}\" in 1.203s (1.203s including waiting). Image size: 72188133 bytes.", "kubelet", node, fieldPath);
            _events.Normal(pod, "Pod", "Created", $"Created container: {c.Str("name")}", "kubelet", node, fieldPath);
            _events.Normal(pod, "Pod", "Started", $"Started container {c.Str("name")}", "kubelet", node, fieldPath);
        }
        var now = Now;
        var podIp = AllocateIp(node);
        var hostIp = Cluster.Registry.TryGet(Cluster.Type("", "nodes"), "", node)?.At("status", "addresses").Objects()
            .FirstOrDefault(a => a.Str("type") == "InternalIP").Str("address") ?? "10.0.0.2";
        var crashLoop = pod.At("metadata", "annotations").StringMap().GetValueOrDefault(CrashLoopAnnotation) == "true";
        UpdateStatus(pod, current =>
        {
            var status = current.Obj("status");
            // Image pull failures keep the pod Pending; a crash-looping container has run, so the pod is Running.
            status["phase"] = failing.Count > 0 ? "Pending" : "Running";
            status["hostIP"] = hostIp;
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = hostIp });
            status["podIP"] = podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
            status["startTime"] = now;
            PodStatusWriter.SetCondition(current, "PodReadyToStartContainers", "True", null, null, now);
            PodStatusWriter.SetCondition(current, "Initialized", "True", null, null, now);
            var unready = string.Join(" ", containers.Select(c => c.Str("name")));
            PodStatusWriter.SetCondition(current, "Ready", "False", "ContainersNotReady", $"containers with unready status: [{unready}]", now);
            PodStatusWriter.SetCondition(current, "ContainersReady", "False", "ContainersNotReady", $"containers with unready status: [{unready}]", now);
            status["containerStatuses"] = new JsonArray(containers.Select(c => (JsonNode)(failing.Contains(c)
                ? PodStatusWriter.ContainerStatus(c, Waiting("ErrImagePull", PullError(c)), false, 0, false)
                : crashLoop
                    ? PodStatusWriter.ContainerStatus(c, Waiting("CrashLoopBackOff", $"back-off 10s restarting failed container={c.Str("name")} pod={current.Name()}_{current.Namespace()}({current.Uid()})"),
                        false, 1, false, new JsonObject { ["terminated"] = Terminated(1, "Error", now, now) })
                    : PodStatusWriter.ContainerStatus(c, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } }, false, 0, true))).ToArray());
        });
        foreach (var c in failing)
        {
            var fieldPath = $"spec.containers{{{c.Str("name")}}}";
            _events.Warning(pod, "Pod", "Failed", $"Failed to pull image \"{c.Str("image")}\": {PullError(c)}", "kubelet", node, fieldPath);
            _events.Warning(pod, "Pod", "Failed", "Error: ErrImagePull", "kubelet", node, fieldPath);
        }
        if (failing.Count > 0) { Schedule(Options.PodStartDelay, () => BackOffImagePull(ns, name, uid, node)); return; }
        if (crashLoop)
        {
            foreach (var c in containers)
                _events.Warning(pod, "Pod", "BackOff", $"Back-off restarting failed container {c.Str("name")} in pod {pod.Name()}_{pod.Namespace()}({pod.Uid()})", "kubelet", node, $"spec.containers{{{c.Str("name")}}}");
            return;
        }
        Schedule(Options.PodReadyDelay, () => BecomeReady(ns, name, uid));
        if (pod.Str("spec", "restartPolicy") is not ("Never" or "OnFailure")) return;
        if (build is not null) StartBuild(pod, node, build);
        else if (scan is not null) StartScan(pod, node, scan);
        else Schedule(Options.PodReadyDelay + Options.JobRunDuration, () => Finish(ns, name, uid, node));
    }

    static JsonObject Waiting(string reason, string message) => new() { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } };

    static JsonObject Terminated(int exitCode, string reason, string startedAt, string finishedAt) => new()
    {
        ["exitCode"] = exitCode, ["reason"] = reason, ["startedAt"] = startedAt, ["finishedAt"] = finishedAt,
        ["containerID"] = "containerd://" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"),
    };

    static string PullError(JsonObject container)
    {
        var image = PodStatusWriter.QualifiedImage(container.Str("image") ?? "");
        return $"rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": {image}: not found";
    }

    void BackOffImagePull(string ns, string name, string uid, string node)
    {
        if (Current(ns, name, uid) is not { } pod) return;
        UpdateStatus(pod, current =>
        {
            foreach (var status in current.At("status", "containerStatuses").Objects())
                if (status.Str("state", "waiting", "reason") == "ErrImagePull")
                    status["state"] = Waiting("ImagePullBackOff", $"Back-off pulling image \"{status.Str("image")}\": ErrImagePull: {status.Str("state", "waiting", "message")}");
        });
        foreach (var c in pod.At("spec", "containers").Objects().Where(c => (c.Str("image") ?? "").Contains(FailingImageMarker, StringComparison.Ordinal)))
        {
            var fieldPath = $"spec.containers{{{c.Str("name")}}}";
            _events.Normal(pod, "Pod", "BackOff", $"Back-off pulling image \"{c.Str("image")}\"", "kubelet", node, fieldPath);
            _events.Warning(pod, "Pod", "Failed", "Error: ImagePullBackOff", "kubelet", node, fieldPath);
        }
    }

    void BecomeReady(string ns, string name, string uid)
    {
        if (Current(ns, name, uid) is not { } pod || PodResources.IsTerminal(pod)) return;
        var now = Now;
        UpdateStatus(pod, current =>
        {
            PodStatusWriter.SetCondition(current, "Ready", "True", null, null, now);
            PodStatusWriter.SetCondition(current, "ContainersReady", "True", null, null, now);
            foreach (var status in current.At("status", "containerStatuses").Objects()) status["ready"] = true;
        });
    }

    bool Fails(JsonObject pod) => pod.At("metadata", "annotations").StringMap().GetValueOrDefault(FailAnnotation) == "true";

    /// <summary>
    /// Runs the image build off the loop: the builder's log lines spread over <see cref="KubeSimOptions.JobRunDuration"/>,
    /// then the push to the real registry, then the container exits (0 with the digest as termination message when
    /// <c>--digest-file</c> is the termination message path; 1 with the error otherwise).
    /// </summary>
    void StartBuild(JsonObject pod, string node, BuildInvocation build)
    {
        var (ns, name, uid) = (pod.Namespace(), pod.Name(), pod.Uid());
        var output = Cluster.Logs.Recorded.Start(uid, build.Container);
        var fails = Fails(pod);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Cluster.Stopping);
        _builds[uid] = stop;
        _ = Task.Run(async () =>
        {
            var result = await ImageBuildRun.RunAsync(build, output, fails, Cluster.Time, Options.JobRunDuration, stop.Token);
            Schedule(TimeSpan.Zero, () => Finish(ns, name, uid, node, result));
        });
    }

    /// <summary>
    /// Runs the Trivy scan off the loop: it resolves the image in its registry, prints the report (or the error) and exits
    /// as Trivy would (0 with the report on stdout; 1 with the error, the log's tail as termination message).
    /// </summary>
    void StartScan(JsonObject pod, string node, ScanInvocation scan)
    {
        var (ns, name, uid) = (pod.Namespace(), pod.Name(), pod.Uid());
        var output = Cluster.Logs.Recorded.Start(uid, scan.Container);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Cluster.Stopping);
        _builds[uid] = stop;
        _ = Task.Run(async () =>
        {
            var result = await ImageScanRun.RunAsync(scan, output, Cluster.Time, Options.JobRunDuration, stop.Token);
            Schedule(TimeSpan.Zero, () => Finish(ns, name, uid, node, result));
        });
    }

    void Finish(string ns, string name, string uid, string node, ImageBuildRun.Result? build = null)
    {
        if (build is not null && _builds.TryRemove(uid, out var stop)) stop.Dispose();
        if (Current(ns, name, uid) is not { } pod) return;
        var fails = build is null ? Fails(pod) : build.ExitCode != 0;
        var now = Now;
        UpdateStatus(pod, current =>
        {
            current.Obj("status")["phase"] = fails ? "Failed" : "Succeeded";
            PodStatusWriter.SetCondition(current, "PodReadyToStartContainers", "False", null, null, now);
            PodStatusWriter.SetCondition(current, "Ready", "False", "PodCompleted", null, now);
            PodStatusWriter.SetCondition(current, "ContainersReady", "False", "PodCompleted", null, now);
            foreach (var status in current.At("status", "containerStatuses").Objects())
            {
                var started = status.Str("state", "running", "startedAt") ?? now;
                var terminated = Terminated(fails ? 1 : 0, fails ? "Error" : "Completed", started, now);
                if (build is not null && build.Container == status.Str("name") && build.Message is { } message) terminated["message"] = message;
                status["state"] = new JsonObject { ["terminated"] = terminated };
                status["ready"] = false;
                status["started"] = false;
            }
        });
    }

    void Kill(JsonObject pod, string node)
    {
        if (!PodResources.IsTerminal(pod))
            foreach (var status in pod.At("status", "containerStatuses").Objects().Where(s => s["state"]?["running"] is not null))
                _events.Normal(pod, "Pod", "Killing", $"Stopping container {status.Str("name")}", "kubelet", node, $"spec.containers{{{status.Str("name")}}}");
        var (ns, name, uid) = (pod.Namespace(), pod.Name(), pod.Uid());
        // A killed builder stops where it is: no push after the kill.
        if (_builds.TryRemove(uid, out var build)) build.Cancel();
        Schedule(Options.PodTerminationDelay, () =>
        {
            Cluster.Logs.Recorded.Forget(uid);
            if (Cluster.Registry.TryGet(PodType, ns, name) is { } current && current.Uid() == uid)
                Cluster.Registry.DeleteNow(PodType, ns, name);
        });
    }

    string AllocateIp(string node)
    {
        var nodeIndex = int.TryParse(node[(node.LastIndexOf('-') + 1)..], out var i) ? i : 0;
        var next = _nextIpByNode.GetValueOrDefault(node) + 1;
        _nextIpByNode[node] = next;
        return $"10.244.{nodeIndex}.{next % 254 + 1}";
    }
}
