using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// The simulated Kaniko executor pushes a real image to a real registry (Debian's docker-registry, CNCF Distribution
/// 2.8, here without auth; the token flow is exercised by the integration tests with Cocktail as token server), and
/// skopeo, a real client, reads it back. Simulator-only: a real cluster would need the Kaniko image and network.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class ImageBuildConventions(ClusterUnderTest cluster) : IAsyncLifetime
{
    const string RegistryBinary = "/usr/bin/docker-registry";
    IKubernetes Client => cluster.Client;
    Process? _registry;
    string _dir = "";
    int _port;

    string Host => $"127.0.0.1:{_port}";

    public async Task InitializeAsync()
    {
        if (!File.Exists(RegistryBinary) || !cluster.IsSimulator) return;
        _dir = Directory.CreateTempSubdirectory("kubesim-registry-").FullName;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); _port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        var config = Path.Combine(_dir, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {_dir}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{_port}
            """);
        _registry = Process.Start(new ProcessStartInfo(RegistryBinary, ["serve", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _registry.BeginErrorReadLine();
        _registry.BeginOutputReadLine();
        using var http = new HttpClient();
        await Eventually.Get(async () => { try { return (await http.GetAsync($"http://{Host}/v2/")).StatusCode; } catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; } },
            code => code == HttpStatusCode.OK);
    }

    public async Task DisposeAsync()
    {
        if (_registry is { HasExited: false }) { _registry.Kill(); await _registry.WaitForExitAsync(); }
        if (_dir.Length > 0) Directory.Delete(_dir, recursive: true);
    }

    void Require()
    {
        Skip.IfNot(cluster.IsSimulator, "simulator-only convention");
        Skip.IfNot(File.Exists(RegistryBinary), "the registry is not installed (/usr/bin/docker-registry; apt-get install docker-registry)");
    }

    async Task<string> KanikoJob(string ns, string name, string destination, bool fail = false, string expect = "Complete")
    {
        var dockerConfig = new JsonObject { ["auths"] = new JsonObject { [Host] = new JsonObject { ["auth"] = Convert.ToBase64String("robot:unused"u8.ToArray()) } } };
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = $"{name}-push" }, Type = "kubernetes.io/dockerconfigjson",
            Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes(dockerConfig.ToJsonString()) },
        }, ns);
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Annotations = fail ? new Dictionary<string, string> { ["kubesim.cocktail.io/fail"] = "true" } : null },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "kaniko", Image = "gcr.io/kaniko-project/executor:v1.23.2",
                                Args = ["--context=git://example.com/shop/web.git#refs/heads/main", "--dockerfile=Dockerfile", $"--destination={destination}",
                                    "--digest-file=/dev/termination-log", "--insecure"],
                                VolumeMounts = [new V1VolumeMount { Name = "docker-config", MountPath = "/kaniko/.docker" }],
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume
                            {
                                Name = "docker-config",
                                Secret = new V1SecretVolumeSource { SecretName = $"{name}-push", Items = [new V1KeyToPath { Key = ".dockerconfigjson", Path = "config.json" }] },
                            },
                        ],
                    },
                },
            },
        }, ns);
        var job = await Eventually.Get(() => Client.BatchV1.ReadNamespacedJobAsync(name, ns),
            j => j.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed") == true);
        Assert.Equal(fail ? "Failed" : expect, job.Status.Conditions.Last().Type);
        return (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={name}")).Items.Single().Metadata.Name;
    }

    [SkippableFact]
    public async Task a_kaniko_job_pushes_a_valid_image_to_its_destination_and_ends_with_the_digest_as_termination_message()
    {
        Require();
        var ns = await cluster.NewNamespaceAsync("kaniko");
        var podName = await KanikoJob(ns, "build-1", $"{Host}/shop/web:main-abc1234");

        var pod = await Client.CoreV1.ReadNamespacedPodAsync(podName, ns);
        var terminated = pod.Status.ContainerStatuses.Single().State.Terminated;
        Assert.Equal(0, terminated.ExitCode);
        Assert.Matches("^sha256:[0-9a-f]{64}$", terminated.Message);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{Host}/v2/shop/web/manifests/main-abc1234");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var manifest = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        Assert.Equal(terminated.Message, manifest.Headers.GetValues("Docker-Content-Digest").Single());

        // skopeo reads the manifest and the config blob: a real client accepts the image.
        var inspect = Process.Start(new ProcessStartInfo("skopeo", ["inspect", "--tls-verify=false", $"docker://{Host}/shop/web:main-abc1234"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await inspect.StandardOutput.ReadToEndAsync();
        var errors = await inspect.StandardError.ReadToEndAsync();
        await inspect.WaitForExitAsync();
        Assert.True(inspect.ExitCode == 0, errors);
        var image = JsonNode.Parse(output)!;
        Assert.Equal(terminated.Message, image["Digest"]!.GetValue<string>());
        Assert.Equal("linux", image["Os"]!.GetValue<string>());
        Assert.Single(image["Layers"]!.AsArray());

        using var log = new StreamReader(await Client.CoreV1.ReadNamespacedPodLogAsync(podName, ns));
        var text = await log.ReadToEndAsync();
        Assert.Contains($"Pushing image to {Host}/shop/web:main-abc1234", text);
        Assert.Contains($"Pushed {Host}/shop/web@{terminated.Message}", text);
    }

    [SkippableFact]
    public async Task a_kaniko_job_with_the_fail_annotation_exits_1_with_the_error_in_its_log_and_pushes_nothing()
    {
        Require();
        var ns = await cluster.NewNamespaceAsync("kaniko");
        var podName = await KanikoJob(ns, "build-2", $"{Host}/shop/broken:1", fail: true);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync(podName, ns);
        Assert.Equal(1, pod.Status.ContainerStatuses.Single().State.Terminated.ExitCode);
        using var log = new StreamReader(await Client.CoreV1.ReadNamespacedPodLogAsync(podName, ns));
        Assert.Contains("error building image", await log.ReadToEndAsync());
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://{Host}/v2/shop/broken/tags/list")).StatusCode);
    }

    [SkippableFact]
    public async Task a_kaniko_job_whose_registry_refuses_the_connection_fails_with_the_push_error()
    {
        Require();
        var ns = await cluster.NewNamespaceAsync("kaniko");
        int closed;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); closed = ((IPEndPoint)probe.LocalEndpoint).Port; }
        var podName = await KanikoJob(ns, "build-3", $"127.0.0.1:{closed}/shop/web:1", expect: "Failed");
        using var log = new StreamReader(await Client.CoreV1.ReadNamespacedPodLogAsync(podName, ns));
        Assert.Contains("error pushing image", await log.ReadToEndAsync());
    }

    /// <summary>A Trivy Job as Cocktail runs it: docker config at $DOCKER_CONFIG from a Secret, the log's tail as termination message on failure.</summary>
    async Task<(V1Job Job, V1Pod Pod, string Log)> TrivyJob(string ns, string name, string reference)
    {
        var dockerConfig = new JsonObject { ["auths"] = new JsonObject { [Host] = new JsonObject { ["auth"] = Convert.ToBase64String("robot:unused"u8.ToArray()) } } };
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = $"{name}-pull" }, Type = "kubernetes.io/dockerconfigjson",
            Data = new Dictionary<string, byte[]> { [".dockerconfigjson"] = Encoding.UTF8.GetBytes(dockerConfig.ToJsonString()) },
        }, ns);
        await Client.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "trivy", Image = "aquasec/trivy:0.57.1", TerminationMessagePolicy = "FallbackToLogsOnError",
                                Args = ["image", "--format", "json", "--quiet", "--scanners", "vuln", "--db-repository", "mirror.example.com/trivy-db", "--insecure", reference],
                                Env = [new V1EnvVar { Name = "DOCKER_CONFIG", Value = "/docker-config" }],
                                VolumeMounts = [new V1VolumeMount { Name = "docker-config", MountPath = "/docker-config" }],
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume
                            {
                                Name = "docker-config",
                                Secret = new V1SecretVolumeSource { SecretName = $"{name}-pull", Items = [new V1KeyToPath { Key = ".dockerconfigjson", Path = "config.json" }] },
                            },
                        ],
                    },
                },
            },
        }, ns);
        var job = await Eventually.Get(() => Client.BatchV1.ReadNamespacedJobAsync(name, ns),
            j => j.Status?.Conditions?.Any(c => c.Type is "Complete" or "Failed") == true);
        var pod = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={name}")).Items.Single();
        using var log = new StreamReader(await Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, ns));
        return (job, pod, await log.ReadToEndAsync());
    }

    [SkippableFact]
    public async Task a_trivy_job_resolves_the_image_in_its_registry_and_prints_a_trivy_json_report_with_the_critical_fixture()
    {
        Require();
        var ns = await cluster.NewNamespaceAsync("trivy");
        var podName = await KanikoJob(ns, "build-critical", $"{Host}/shop/critical-web:v1");
        var digest = (await Client.CoreV1.ReadNamespacedPodAsync(podName, ns)).Status.ContainerStatuses.Single().State.Terminated.Message;

        var (job, _, log) = await TrivyJob(ns, "scan-critical", $"{Host}/shop/critical-web@{digest}");

        Assert.Equal("Complete", job.Status.Conditions.Last().Type);
        var report = JsonNode.Parse(log)!; // --quiet: the log is the report alone
        Assert.Equal((2, $"{Host}/shop/critical-web@{digest}"), ((int)report["SchemaVersion"]!, (string)report["ArtifactName"]!));
        Assert.Equal($"{Host}/shop/critical-web@{digest}", (string)report["Metadata"]!["RepoDigests"]![0]!);
        var findings = report["Results"]![0]!["Vulnerabilities"]!.AsArray();
        var critical = findings.Where(f => (string)f!["Severity"]! == "CRITICAL").ToList();
        Assert.Equal(3, critical.Count);
        Assert.Contains(critical, f => f!["FixedVersion"] is null);
        Assert.Contains(critical, f => (string?)f!["FixedVersion"] == "2.6.3-r0" && (string)f["PkgName"]! == "libexpat");
        Assert.All(findings, f => Assert.StartsWith("https://avd.aquasec.com/nvd/cve-", (string)f!["PrimaryURL"]!));
    }

    [SkippableFact]
    public async Task a_trivy_job_fails_with_trivys_error_for_an_unknown_digest_and_for_a_scan_fails_repository_and_cuts_a_broken_report()
    {
        Require();
        var ns = await cluster.NewNamespaceAsync("trivy-bad");
        var unknown = "sha256:" + new string('0', 64);
        var (missing, missingPod, _) = await TrivyJob(ns, "scan-missing", $"{Host}/shop/clean-web@{unknown}");
        Assert.Equal("Failed", missing.Status.Conditions.Last().Type);
        var message = missingPod.Status.ContainerStatuses.Single().State.Terminated.Message;
        Assert.Contains("MANIFEST_UNKNOWN", message);
        Assert.Equal(1, missingPod.Status.ContainerStatuses.Single().State.Terminated.ExitCode);

        var fails = await KanikoJob(ns, "build-fails", $"{Host}/shop/scan-fails:v1");
        var failsDigest = (await Client.CoreV1.ReadNamespacedPodAsync(fails, ns)).Status.ContainerStatuses.Single().State.Terminated.Message;
        var (failed, failedPod, _) = await TrivyJob(ns, "scan-fails", $"{Host}/shop/scan-fails@{failsDigest}");
        Assert.Equal("Failed", failed.Status.Conditions.Last().Type);
        Assert.Contains("failed to download vulnerability DB", failedPod.Status.ContainerStatuses.Single().State.Terminated.Message);

        var broken = await KanikoJob(ns, "build-broken", $"{Host}/shop/broken-report:v1");
        var brokenDigest = (await Client.CoreV1.ReadNamespacedPodAsync(broken, ns)).Status.ContainerStatuses.Single().State.Terminated.Message;
        var (done, _, log) = await TrivyJob(ns, "scan-broken", $"{Host}/shop/broken-report@{brokenDigest}");
        Assert.Equal("Complete", done.Status.Conditions.Last().Type);
        Assert.StartsWith("{", log.Trim());
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => JsonNode.Parse(log));
    }
}
