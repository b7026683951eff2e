using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// Simulator-only behaviour: conventions that make unhappy paths reproducible (a real cluster would need a
/// genuinely missing image or failing program), credentials minted by the simulator, and its in-process API.
/// Skipped against a real cluster.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class SimulatorConventionsContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    void RequireSimulator() => Skip.IfNot(cluster.IsSimulator, "simulator-only convention");

    [SkippableFact]
    public async Task an_image_named_does_not_exist_ends_in_image_pull_back_off_with_warning_events()
    {
        RequireSimulator();
        var ns = await cluster.NewNamespaceAsync("pull");
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("broken", Manifests.Container(image: "registry.example.com/does-not-exist:1")), ns);
        var pod = await Eventually.Get(() => Client.CoreV1.ReadNamespacedPodAsync("broken", ns),
            p => p.Status?.ContainerStatuses?.Any(c => c.State?.Waiting?.Reason == "ImagePullBackOff") == true);
        Assert.Equal("Pending", pod.Status.Phase);
        var events = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=broken,type=Warning");
        Assert.Contains(events.Items, e => e.Reason == "Failed" && e.Message == "Error: ErrImagePull");
        Assert.Contains(events.Items, e => e.Reason == "Failed" && e.Message == "Error: ImagePullBackOff");
    }

    [SkippableFact]
    public async Task a_job_whose_template_carries_the_fail_annotation_fails_with_backoff_limit_exceeded()
    {
        RequireSimulator();
        var ns = await cluster.NewNamespaceAsync("jobfail");
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "doomed" },
            Spec = new V1JobSpec
            {
                BackoffLimit = 1,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Annotations = new Dictionary<string, string> { ["kubesim.cocktail.io/fail"] = "true" } },
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [Manifests.Container("work", "busybox:1.36")] },
                },
            },
        }, ns);
        var job = await Eventually.Get(() => Client.BatchV1.ReadNamespacedJobAsync("doomed", ns), j => j.Status?.Conditions?.Any(c => c.Type == "Failed") == true);
        Assert.Equal(2, job.Status.Failed);
        Assert.Equal("BackoffLimitExceeded", job.Status.Conditions.Single(c => c.Type == "Failed").Reason);
    }

    [SkippableFact]
    public async Task a_client_certificate_issued_by_the_cluster_authenticates_with_its_common_name_and_groups()
    {
        RequireSimulator();
        var sim = cluster.Simulator!;
        var notAfter = DateTimeOffset.UtcNow.AddDays(30);
        var kubeconfig = sim.ClientCertificateKubeconfig("jane", ["devs", "system:masters"], notAfter);
        using var client = ClusterUnderTest.ClientForYaml(kubeconfig);
        var review = await client.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
        Assert.Equal("jane", review.Status.UserInfo.Username);
        Assert.Contains("devs", review.Status.UserInfo.Groups);
        var issued = sim.IssueClientCertificate("jane", ["devs"], notAfter);
        using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(issued.CertificatePem);
        Assert.Equal(notAfter.ToUnixTimeSeconds(), new DateTimeOffset(cert.NotAfter.ToUniversalTime()).ToUnixTimeSeconds());
    }

    [SkippableFact]
    public async Task an_issued_token_with_an_expiry_in_the_past_is_401_and_a_valid_one_works()
    {
        RequireSimulator();
        var sim = cluster.Simulator!;
        using var valid = ClusterUnderTest.ClientForYaml(sim.KubeconfigForToken(sim.IssueToken("ops", ["system:masters"], DateTimeOffset.UtcNow.AddHours(1))));
        Assert.NotEmpty((await valid.CoreV1.ListNamespaceAsync()).Items);
        using var expired = ClusterUnderTest.ClientForYaml(sim.KubeconfigForToken(sim.IssueToken("ops", ["system:masters"], DateTimeOffset.UtcNow.AddMinutes(-1))));
        var error = await ApiError.From(() => expired.CoreV1.ListNamespaceAsync());
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.StatusCode);
        using var invalid = ClusterUnderTest.ClientForYaml(sim.KubeconfigForToken(KubeSimCluster.InvalidToken));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await ApiError.From(() => invalid.CoreV1.ListNamespaceAsync())).StatusCode);
    }

    [SkippableFact]
    public async Task objects_seeded_in_process_are_visible_over_the_api_and_become_running()
    {
        RequireSimulator();
        var sim = cluster.Simulator!;
        var ns = $"seeded-{Guid.NewGuid().ToString("N")[..6]}";
        sim.Objects.SeedPods(ns, 3, prefix: "api");
        var pods = await Eventually.Get(() => Client.CoreV1.ListNamespacedPodAsync(ns), l => l.Items.Count == 3 && l.Items.All(p => p.Status?.Phase == "Running"));
        Assert.Equal(["api-0", "api-1", "api-2"], pods.Items.Select(p => p.Metadata.Name).Order().ToArray());
        var direct = sim.Objects.List("v1", "Pod", ns, "app=api");
        Assert.Equal(3, direct.Count);
        sim.Objects.Delete("v1", "Namespace", ns);
    }

    [SkippableFact]
    public async Task metrics_report_usage_for_running_pods_and_nodes()
    {
        RequireSimulator(); // a real cluster needs metrics-server for this
        var ns = await cluster.NewNamespaceAsync("metrics");
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("busy"), ns);
        await Eventually.Until(async () => (await Client.CoreV1.ReadNamespacedPodAsync("busy", ns)).Status?.Phase == "Running");
        var podMetrics = (System.Text.Json.JsonElement)await Client.CustomObjects.GetNamespacedCustomObjectAsync("metrics.k8s.io", "v1beta1", ns, "pods", "busy");
        var usage = podMetrics.GetProperty("containers")[0].GetProperty("usage");
        Assert.EndsWith("n", usage.GetProperty("cpu").GetString());
        Assert.EndsWith("Ki", usage.GetProperty("memory").GetString());
        var nodes = (System.Text.Json.JsonElement)await Client.CustomObjects.ListClusterCustomObjectAsync("metrics.k8s.io", "v1beta1", "nodes");
        Assert.Equal(3, nodes.GetProperty("items").GetArrayLength());
    }
}
