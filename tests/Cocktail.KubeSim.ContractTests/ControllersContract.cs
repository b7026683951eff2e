using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// What the controllers make of workloads. These hold on a real cluster too (given time and pullable images);
/// the simulator just gets there in well under a second.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class ControllersContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    Task<V1Deployment> WaitForDeployment(string ns, string name, Func<V1Deployment, bool> condition, string because) =>
        Deployments.WaitFor(Client, ns, name, condition, because);

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task a_deployment_creates_a_hashed_replica_set_whose_pods_become_ready_and_available()
    {
        var ns = await cluster.NewNamespaceAsync("deploy");
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", 3), ns);
        var deployment = await WaitForDeployment(ns, "web", d => d.Status?.AvailableReplicas == 3, "the deployment becomes available");
        Assert.Equal(3, deployment.Status.ReadyReplicas);
        Assert.Equal(3, deployment.Status.UpdatedReplicas);
        Assert.Equal(deployment.Metadata.Generation, deployment.Status.ObservedGeneration);
        var available = deployment.Status.Conditions.Single(c => c.Type == "Available");
        Assert.Equal(("True", "MinimumReplicasAvailable"), (available.Status, available.Reason));
        var progressing = await Eventually.Get(() => Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns),
            d => d.Status.Conditions.Any(c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable"));
        Assert.Equal(3, progressing.Status.AvailableReplicas);
        var rs = Assert.Single((await Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items);
        var hash = rs.Metadata.Labels["pod-template-hash"];
        Assert.Equal($"web-{hash}", rs.Metadata.Name);
        Assert.Equal("Deployment", rs.Metadata.OwnerReferences.Single().Kind);
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"pod-template-hash={hash}")).Items;
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Running", p.Status.Phase));
        Assert.All(pods, p => Assert.False(string.IsNullOrEmpty(p.Spec.NodeName)));
    }

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task changing_the_pod_template_rolls_out_a_new_replica_set()
    {
        var ns = await cluster.NewNamespaceAsync("deploy");
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("roll", 2), ns);
        await WaitForDeployment(ns, "roll", d => d.Status?.AvailableReplicas == 2, "the first rollout completes");
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.28\"}]}}}}", V1Patch.PatchType.StrategicMergePatch), "roll", ns);
        await WaitForDeployment(ns, "roll", d => d.Status?.UpdatedReplicas == 2 && d.Status.AvailableReplicas == 2 && d.Status.Replicas == 2 &&
                                                 d.Status.ObservedGeneration == d.Metadata.Generation, "the second rollout completes");
        var sets = (await Client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items;
        Assert.Equal(2, sets.Count);
        var current = sets.Single(s => s.Spec.Replicas == 2);
        Assert.Equal("nginx:1.28", current.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("2", current.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.Equal(0, sets.Single(s => s != current).Spec.Replicas);
    }

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task scaling_a_deployment_down_removes_pods()
    {
        var ns = await cluster.NewNamespaceAsync("deploy");
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("shrink", 3), ns);
        await WaitForDeployment(ns, "shrink", d => d.Status?.AvailableReplicas == 3, "the deployment becomes available");
        await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":1}}", V1Patch.PatchType.MergePatch), "shrink", ns);
        await Eventually.Until(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count == 1, because: "the extra pods terminate");
    }

    [Fact]
    public async Task deleting_a_replica_set_garbage_collects_its_pods()
    {
        var ns = await cluster.NewNamespaceAsync("gc");
        await Client.AppsV1.CreateNamespacedReplicaSetAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "orphans" },
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orphans" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "orphans" } },
                    Spec = new V1PodSpec { Containers = [Manifests.Container()] },
                },
            },
        }, ns);
        await Eventually.Until(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count == 2);
        await Client.AppsV1.DeleteNamespacedReplicaSetAsync("orphans", ns);
        await Eventually.Until(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Count == 0, because: "dependents follow their owner");
    }

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task a_statefulset_creates_ordinal_pods_in_order()
    {
        var ns = await cluster.NewNamespaceAsync("sts");
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "db" },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 3,
                ServiceName = "db",
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "db" } },
                    Spec = new V1PodSpec { Containers = [Manifests.Container()] },
                },
            },
        }, ns);
        var set = await Eventually.Get(() => Client.AppsV1.ReadNamespacedStatefulSetAsync("db", ns), s => s.Status?.ReadyReplicas == 3);
        var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Select(p => p.Metadata.Name).Order().ToArray();
        Assert.Equal(["db-0", "db-1", "db-2"], pods);
        Assert.Equal(3, set.Status.Replicas);
    }

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task a_daemonset_runs_one_pod_per_node()
    {
        var ns = await cluster.NewNamespaceAsync("ds");
        var nodes = (await Client.CoreV1.ListNodeAsync()).Items.Count(n => n.Spec.Taints is null || n.Spec.Taints.Count == 0);
        await Client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "agent" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "agent" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "agent" } },
                    Spec = new V1PodSpec { Containers = [Manifests.Container(cpu: "1m", memory: "8Mi")] },
                },
            },
        }, ns);
        var set = await Eventually.Get(() => Client.AppsV1.ReadNamespacedDaemonSetAsync("agent", ns), s => s.Status?.NumberReady >= nodes && nodes > 0);
        var podNodes = (await Client.CoreV1.ListNamespacedPodAsync(ns)).Items.Select(p => p.Spec.NodeName).ToList();
        Assert.Equal(podNodes.Count, podNodes.Distinct().Count());
        Assert.Equal(set.Status.DesiredNumberScheduled, podNodes.Count);
    }

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task a_job_runs_to_completion()
    {
        var ns = await cluster.NewNamespaceAsync("job");
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "once" },
            Spec = new V1JobSpec
            {
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [Manifests.Container("work", "busybox:1.36")] },
                },
            },
        }, ns);
        var job = await Eventually.Get(() => Client.BatchV1.ReadNamespacedJobAsync("once", ns), j => j.Status?.Succeeded == 1, TimeSpan.FromSeconds(60));
        Assert.Contains(job.Status.Conditions, c => c.Type == "Complete" && c.Status == "True");
        Assert.NotNull(job.Status.CompletionTime);
    }

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task a_scheduled_pod_records_scheduling_and_kubelet_events_found_by_field_selector()
    {
        var ns = await cluster.NewNamespaceAsync("events");
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("observed"), ns);
        var events = await Eventually.Get(() => Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=observed,involvedObject.kind=Pod"),
            list => list.Items.Any(e => e.Reason == "Started"), TimeSpan.FromSeconds(60));
        var scheduled = events.Items.Single(e => e.Reason == "Scheduled");
        Assert.StartsWith($"Successfully assigned {ns}/observed to ", scheduled.Message);
        Assert.Contains(events.Items, e => e.Reason == "Pulled" || e.Reason == "Pulling");
        Assert.Contains(events.Items, e => e.Reason == "Created");
    }

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task a_running_pod_serves_logs_with_tail_lines()
    {
        var ns = await cluster.NewNamespaceAsync("logs");
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("talker"), ns);
        await Eventually.Until(async () => (await Client.CoreV1.ReadNamespacedPodAsync("talker", ns)).Status?.Phase == "Running", TimeSpan.FromSeconds(60));
        await using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync("talker", ns, tailLines: 1);
        var text = await new StreamReader(stream).ReadToEndAsync();
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task logs_of_a_missing_container_are_400_bad_request()
    {
        var ns = await cluster.NewNamespaceAsync("logs");
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("talker"), ns);
        var error = await ApiError.From(() => Client.CoreV1.ReadNamespacedPodLogAsync("talker", ns, container: "nope"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("container nope is not valid for pod talker", error.Message);
    }

    [Fact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task a_service_gets_a_cluster_ip_and_endpoints_for_its_ready_pods()
    {
        var ns = await cluster.NewNamespaceAsync("svc");
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("backend"), ns);
        var service = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "backend" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "backend" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, ns);
        Assert.False(string.IsNullOrEmpty(service.Spec.ClusterIP));
        Assert.Equal("ClusterIP", service.Spec.Type);
        var endpoints = await Eventually.Get(() => Client.CoreV1.ListNamespacedEndpointsAsync(ns), e => e.Items.Any(x => x.Subsets?.Any(s => s.Addresses?.Count == 1) == true), TimeSpan.FromSeconds(60));
        Assert.Equal("backend", endpoints.Items.Single().Metadata.Name);
    }

    [Fact]
    public async Task a_rollout_that_cannot_progress_reports_progress_deadline_exceeded()
    {
        var ns = await cluster.NewNamespaceAsync("deadline");
        var deployment = Manifests.Deployment("stuck", 1, image: "registry.example.com/does-not-exist:1");
        deployment.Spec.ProgressDeadlineSeconds = 1;
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns);
        var stuck = await WaitForDeployment(ns, "stuck",
            d => d.Status?.Conditions?.Any(c => c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded") == true, "the deadline passes");
        var progressing = stuck.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal("False", progressing.Status);
        Assert.Matches("^ReplicaSet \"stuck-[a-z0-9]+\" has timed out progressing.$", progressing.Message);
        var available = stuck.Status.Conditions.Single(c => c.Type == "Available");
        Assert.Equal(("False", "MinimumReplicasUnavailable"), (available.Status, available.Reason));
    }
}
