using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// The Prometheus endpoints a monitored cluster has, through the API server: the kubelet's <c>/metrics</c> and
/// <c>/metrics/cadvisor</c> (node proxy), node-exporter (<c>nodes/{node}:9100/proxy</c>), NVIDIA dcgm-exporter
/// (<c>:9400</c>, GPU nodes) and kube-state-metrics (service proxy). The simulator's values follow its pods and
/// the documented usage annotations.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class ExpositionContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    static async Task<(HttpStatusCode Status, string ContentType, string Body)> Get(IKubernetes client, string path)
    {
        var k = (Kubernetes)client;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(k.BaseUri, path));
        if (k.Credentials is not null) await k.Credentials.ProcessHttpRequestAsync(request, CancellationToken.None);
        using var response = await k.HttpClient.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }

    async Task<IReadOnlyList<ExposedSample>> Scrape(string path, IKubernetes? client = null)
    {
        var (status, contentType, body) = await Get(client ?? Client, path);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {(int)status} {body}");
        Assert.StartsWith("text/plain; version=0.0.4", contentType);
        return Exposition.Parse(body).Samples;
    }

    async Task<string> FirstNode() => (await Client.CoreV1.ListNodeAsync()).Items.First().Metadata.Name;

    async Task<(string Ns, V1Pod Pod)> RunningPod(string name, IDictionary<string, string> annotations, V1ResourceRequirements resources, V1Volume[]? volumes = null,
        string? ns = null, IKubernetes? client = null)
    {
        client ??= Client;
        ns ??= await cluster.NewNamespaceAsync("metrics");
        var container = new V1Container { Name = "app", Image = "nginx:1.27", Resources = resources };
        if (volumes is { Length: > 0 }) container.VolumeMounts = volumes.Select(v => new V1VolumeMount { Name = v.Name, MountPath = "/data" }).ToList();
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Annotations = annotations },
            Spec = new V1PodSpec { Containers = [container], Volumes = volumes },
        }, ns);
        var pod = await Eventually.Get(() => client.CoreV1.ReadNamespacedPodAsync(name, ns), p => p.Status?.Phase == "Running");
        return (ns, pod);
    }

    static V1ResourceRequirements Resources(string cpuRequest, string cpuLimit, string memoryRequest, string memoryLimit, string? gpus = null)
    {
        var requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuRequest), ["memory"] = new(memoryRequest) };
        var limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpuLimit), ["memory"] = new(memoryLimit) };
        if (gpus is not null) requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = new(gpus);
        return new V1ResourceRequirements { Requests = requests, Limits = limits };
    }

    [SkippableFact]
    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task cadvisor_reports_a_containers_cpu_as_a_growing_counter_and_its_memory_from_the_usage_annotations()
    {
        SimulatorOnly.Require();
        var (ns, pod) = await RunningPod("burner", new Dictionary<string, string>
        {
            ["kubesim.cocktail.io/cpu-usage"] = "0.9", ["kubesim.cocktail.io/memory-usage"] = "0.5",
        }, Resources("100m", "2", "64Mi", "256Mi"));
        var node = pod.Spec.NodeName;
        var path = $"/api/v1/nodes/{node}/proxy/metrics/cadvisor";

        var first = (await Scrape(path)).Where(s => s["namespace"] == ns && s["pod"] == "burner").ToList();
        var cpu = Assert.Single(first, s => s.Name == "container_cpu_usage_seconds_total" && s["container"] == "app");
        Assert.Equal("total", cpu["cpu"]);
        Assert.StartsWith($"/kubepods/burstable/pod{pod.Metadata.Uid}/", cpu["id"]);
        Assert.Equal("docker.io/library/nginx:1.27", cpu["image"]);
        Assert.NotEmpty(cpu["name"]);
        var memory = Assert.Single(first, s => s.Name == "container_memory_working_set_bytes" && s["container"] == "app");
        Assert.Equal(128 * 1024 * 1024, memory.Value); // half of the 256Mi limit
        Assert.Single(first, s => s.Name == "container_network_receive_bytes_total" && s["interface"] == "eth0");
        Assert.Single(first, s => s.Name == "container_network_transmit_bytes_total" && s["interface"] == "eth0");
        Assert.Single(first, s => s.Name == "container_fs_usage_bytes" && s["container"] == "app" && s.Value > 0);

        var started = DateTime.UtcNow;
        await Task.Delay(1000); // a counter's growth needs time to pass
        var again = (await Scrape(path)).Single(s => s.Name == "container_cpu_usage_seconds_total" && s["pod"] == "burner" && s["container"] == "app");
        var rate = (again.Value - cpu.Value) / (DateTime.UtcNow - started).TotalSeconds;
        Assert.InRange(rate, 1.2, 1.9); // 0.9 of a 2-core limit, give or take the scrape's own time
    }

    [SkippableFact]
    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task metrics_k8s_io_follows_the_same_usage_annotations()
    {
        SimulatorOnly.Require();
        var (ns, _) = await RunningPod("annotated", new Dictionary<string, string>
        {
            ["kubesim.cocktail.io/cpu-usage"] = "0.25", ["kubesim.cocktail.io/memory-usage"] = "0.75",
        }, Resources("100m", "2", "64Mi", "256Mi"));

        var (status, _, body) = await Get(Client, $"/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods/annotated");

        Assert.Equal(HttpStatusCode.OK, status);
        var usage = JsonNode.Parse(body)!["containers"]![0]!["usage"]!;
        Assert.Equal("500000000n", (string)usage["cpu"]!);
        Assert.Equal("196608Ki", (string)usage["memory"]!);
    }

    [SkippableFact]
    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task the_kubelet_reports_volume_stats_of_claimed_volumes_from_the_volume_annotation()
    {
        SimulatorOnly.Require();
        var ns = await cluster.NewNamespaceAsync("volumes");
        await Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("10Gi") } },
            },
        }, ns);
        var (_, pod) = await RunningPod("db", new Dictionary<string, string> { ["kubesim.cocktail.io/volume-usage"] = "0.95" },
            Resources("100m", "1", "64Mi", "128Mi"),
            [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data" } }], ns);

        var samples = (await Scrape($"/api/v1/nodes/{pod.Spec.NodeName}/proxy/metrics")).Where(s => s["namespace"] == ns).ToList();

        var capacity = Assert.Single(samples, s => s.Name == "kubelet_volume_stats_capacity_bytes" && s["persistentvolumeclaim"] == "data");
        var used = Assert.Single(samples, s => s.Name == "kubelet_volume_stats_used_bytes" && s["persistentvolumeclaim"] == "data");
        Assert.Equal(10.0 * 1024 * 1024 * 1024, capacity.Value);
        Assert.Equal(Math.Round(0.95 * capacity.Value), used.Value);
    }

    [SkippableFact]
    public async Task node_exporter_answers_on_port_9100_through_the_node_proxy()
    {
        SimulatorOnly.Require();
        var node = await FirstNode();

        var samples = await Scrape($"/api/v1/nodes/{node}:9100/proxy/metrics");

        Assert.Equal(4 * 3, samples.Count(s => s.Name == "node_cpu_seconds_total")); // 4 CPUs × idle, system, user
        Assert.Equal(16.0 * 1024 * 1024 * 1024, samples.Single(s => s.Name == "node_memory_MemTotal_bytes").Value);
        Assert.Single(samples, s => s.Name == "node_filesystem_avail_bytes" && s["mountpoint"] == "/");
        Assert.Single(samples, s => s.Name == "node_network_receive_bytes_total" && s["device"] == "eth0");
    }

    [SkippableFact]
    public async Task a_node_without_gpus_has_no_dcgm_exporter_and_an_unknown_node_is_404()
    {
        SimulatorOnly.Require();
        var node = await FirstNode();

        var (status, _, body) = await Get(Client, $"/api/v1/nodes/{node}:9400/proxy/metrics");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("error trying to reach service", body);

        var (missing, _, missingBody) = await Get(Client, "/api/v1/nodes/no-such-node/proxy/metrics");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Contains("nodes \\\"no-such-node\\\" not found", missingBody);
    }

    [SkippableFact]
    public async Task dcgm_exporter_reports_each_gpu_with_the_pod_that_holds_it_and_the_annotated_utilisation()
    {
        SimulatorOnly.Require();
        await using var gpuCluster = await KubeSimCluster.StartAsync(new KubeSimOptions
        {
            Name = "gpu", Nodes = 1, NodeShape = new NodeShape { Cpu = "8", Memory = "64Gi", NvidiaGpus = 2 },
        });
        using var client = ClusterUnderTest.ClientForYaml(gpuCluster.AdminKubeconfigYaml);
        gpuCluster.Objects.EnsureNamespace("ml");
        await Eventually.Until(async () => (await client.CoreV1.ListNamespacedServiceAccountAsync("ml")).Items.Count > 0);
        await RunningPod("trainer", new Dictionary<string, string> { ["kubesim.cocktail.io/gpu-utilization"] = "85" },
            Resources("1", "2", "1Gi", "2Gi", gpus: "1"), ns: "ml", client: client);

        var node = (await client.CoreV1.ListNodeAsync()).Items.Single().Metadata.Name;
        var samples = await Scrape($"/api/v1/nodes/{node}:9400/proxy/metrics", client);

        var util = samples.Where(s => s.Name == "DCGM_FI_DEV_GPU_UTIL").OrderBy(s => s["gpu"]).ToList();
        Assert.Equal(2, util.Count);
        Assert.Equal(85, util[0].Value);
        Assert.Equal(("ml", "trainer", "app"), (util[0]["namespace"], util[0]["pod"], util[0]["container"]));
        Assert.Equal(node, util[0]["Hostname"]);
        Assert.StartsWith("GPU-", util[0]["UUID"]);
        Assert.Equal(0, util[1].Value);
        Assert.False(util[1].Labels.ContainsKey("pod"));
        var used = samples.Single(s => s.Name == "DCGM_FI_DEV_FB_USED" && s["gpu"] == "0");
        Assert.True(used.Value > 0);
        Assert.Equal(40960 - used.Value, samples.Single(s => s.Name == "DCGM_FI_DEV_FB_FREE" && s["gpu"] == "0").Value);
    }

    [SkippableFact]
    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task kube_state_metrics_behind_its_service_reports_pods_deployments_nodes_quotas_and_claims()
    {
        SimulatorOnly.Require();
        cluster.Simulator!.EnableKubeStateMetrics();
        var ns = await cluster.NewNamespaceAsync("ksm");
        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = "team" },
            Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["requests.cpu"] = new("4"), ["pods"] = new("10") } },
        }, ns);
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", 2), ns);
        await Eventually.Until(async () => (await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Status?.AvailableReplicas == 2);
        await Eventually.Until(async () => (await Client.CoreV1.ReadNamespacedResourceQuotaAsync("team", ns)).Status?.Used?.ContainsKey("pods") == true);

        var samples = (await Scrape("/api/v1/namespaces/kube-system/services/kube-state-metrics:http-metrics/proxy/metrics")).ToList();

        var mine = samples.Where(s => s["namespace"] == ns).ToList();
        Assert.Equal(2, mine.Count(s => s.Name == "kube_pod_status_phase" && s["phase"] == "Running" && s.Value == 1));
        Assert.All(mine.Where(s => s.Name == "kube_pod_status_phase"), s => Assert.NotEmpty(s["uid"]));
        Assert.Equal(2, mine.Count(s => s.Name == "kube_pod_container_status_restarts_total" && s["container"] == "app"));
        Assert.Equal(2, mine.Single(s => s.Name == "kube_deployment_spec_replicas" && s["deployment"] == "web").Value);
        Assert.Equal(2, mine.Single(s => s.Name == "kube_deployment_status_replicas_available" && s["deployment"] == "web").Value);
        Assert.Equal(4, mine.Single(s => s.Name == "kube_resourcequota" && s["resource"] == "requests.cpu" && s["type"] == "hard").Value);
        Assert.Equal(2, mine.Single(s => s.Name == "kube_resourcequota" && s["resource"] == "pods" && s["type"] == "used").Value);
        var request = mine.First(s => s.Name == "kube_pod_container_resource_requests" && s["resource"] == "cpu");
        Assert.Equal("core", request["unit"]);
        Assert.NotEmpty(request["node"]);
        var node = await FirstNode();
        Assert.Equal(1, samples.Single(s => s.Name == "kube_node_status_condition" && s["node"] == node && s["condition"] == "Ready" && s["status"] == "true").Value);
    }
}
