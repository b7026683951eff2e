using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.Testing.Charts;
using k8s;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>A cluster of its own with Flux installed as <c>flux install</c> does, and a chart repository serving podinfo 1.0.0 and 1.1.0.</summary>
public sealed class FluxCluster : IAsyncLifetime
{
    public KubeSimCluster Cluster { get; private set; } = null!;
    public IKubernetes Client { get; private set; } = null!;
    public ChartRepositoryServer Repository { get; private set; } = null!;
    public string KubeconfigPath { get; private set; } = "";

    public const string Schema = """
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
         "properties":{"replicaCount":{"type":"integer","minimum":1},"message":{"type":"string"}}}
        """;

    /// <summary>podinfo with one ConfigMap (<c>podinfo-config</c>) whose data says the chart version; no <c>{{</c>, so KubeSim applies it as is.</summary>
    public static TestChart Podinfo(string version, string? configMapNamespace = null)
    {
        var ns = configMapNamespace is null ? "" : $"\n  namespace: {configMapNamespace}";
        return new TestChart("podinfo", version) { AppVersion = $"6.{version}", Values = "replicaCount: 1\nmessage: hello\n", Schema = Schema }
            .WithTemplate("configmap.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: podinfo-config{ns}\ndata:\n  version: \"{version}\"\n")
            .WithTemplate("deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n");
    }

    public async Task InitializeAsync()
    {
        Cluster = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "flux", Nodes = 1, Flux = true, ClusterApi = false });
        Client = ClusterUnderTest.ClientForYaml(Cluster.AdminKubeconfigYaml);
        KubeconfigPath = Path.Combine(Path.GetTempPath(), $"kubesim-flux-{Guid.NewGuid():N}.yaml");
        Cluster.WriteKubeconfig(KubeconfigPath);
        await SharedCrds.InstallFluxAsync(Cluster);
        Repository = await ChartRepositoryServer.StartAsync(Podinfo("1.0.0"), Podinfo("1.1.0"),
            Podinfo("2.0.0", configMapNamespace: "elsewhere") with { Name = "stray" });
    }

    public async Task DisposeAsync()
    {
        if (Repository is not null) await Repository.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (KubeconfigPath.Length > 0) File.Delete(KubeconfigPath);
    }
}

/// <summary>
/// KubeSim's Flux (simulator-only): the CRDs as the apiserver serves them, source-controller fetching a real chart
/// repository, and helm-controller installing, upgrading, failing with Helm's messages, remediating and uninstalling,
/// acting as the release's service account. Each test works in its own namespace of a cluster of its own.
/// </summary>
public sealed class FluxControllersContract(FluxCluster fixture) : IClassFixture<FluxCluster>
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    ClusterObjects Objects => fixture.Cluster.Objects;

    string NewNamespace(string prefix)
    {
        var ns = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        Objects.EnsureNamespace(ns);
        return ns;
    }

    void CreateRepository(string ns, string url, string? type = null) =>
        Objects.Create(new JsonObject
        {
            ["apiVersion"] = "source.toolkit.fluxcd.io/v1", ["kind"] = "HelmRepository",
            ["metadata"] = new JsonObject { ["name"] = "charts", ["namespace"] = ns },
            ["spec"] = new JsonObject { ["interval"] = "10m", ["url"] = url }.Also(s => { if (type is not null) s["type"] = type; }),
        });

    JsonObject Release(string ns, string name, string version, JsonObject? values = null, JsonObject? extraSpec = null, string chart = "podinfo")
    {
        var spec = new JsonObject
        {
            ["interval"] = "10m",
            ["chart"] = new JsonObject
            {
                ["spec"] = new JsonObject { ["chart"] = chart, ["version"] = version, ["sourceRef"] = new JsonObject { ["kind"] = "HelmRepository", ["name"] = "charts" } },
            },
        };
        if (values is not null) spec["values"] = values;
        foreach (var (k, v) in extraSpec ?? []) spec[k] = v?.DeepClone();
        return new JsonObject
        {
            ["apiVersion"] = "helm.toolkit.fluxcd.io/v2", ["kind"] = "HelmRelease",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
            ["spec"] = spec,
        };
    }

    static JsonObject? Condition(JsonObject o, string type) => o.At("status", "conditions").Objects().FirstOrDefault(c => c.Str("type") == type);

    /// <summary>Waits for the HelmRelease to satisfy <paramref name="until"/>; a timeout shows its last status.</summary>
    async Task<JsonObject> WaitRelease(string ns, string name, Func<JsonObject, bool> until)
    {
        try
        {
            return await Objects.WaitForAsync("helm.toolkit.fluxcd.io/v2", "HelmRelease", name, ns, until, Timeout);
        }
        catch (TimeoutException)
        {
            var last = Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", name, ns);
            var chart = Objects.Get("source.toolkit.fluxcd.io/v1", "HelmChart", $"{ns}-{name}", ns);
            throw new TimeoutException($"HelmRelease {ns}/{name}: {last?["status"]?.ToJsonString()}; HelmChart: {chart?["status"]?.ToJsonString()}");
        }
    }

    Task<JsonObject> WaitReady(string ns, string name, string status, string reason) =>
        WaitRelease(ns, name, o => Condition(o, "Ready") is { } c && c.Str("status") == status && c.Str("reason") == reason
                                   && o.Long("status", "observedGeneration") == o.Long("metadata", "generation"));

    IReadOnlyList<JsonObject> StorageSecrets(string ns, string release) =>
        Objects.List("v1", "Secret", ns, $"owner=helm,name={release}");

    [SkippableFact]
    public async Task flux_is_installed_as_flux_install_lays_it_out_and_its_crds_validate_and_default_as_the_apiserver_does()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        Assert.NotNull(Objects.Get("apps/v1", "Deployment", "source-controller", "flux-system"));
        Assert.NotNull(Objects.Get("apps/v1", "Deployment", "helm-controller", "flux-system"));
        var ns = NewNamespace("crd");

        var neither = await ApiError.From(() => fixture.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject { ["apiVersion"] = "helm.toolkit.fluxcd.io/v2", ["kind"] = "HelmRelease", ["metadata"] = new JsonObject { ["name"] = "bad" }, ["spec"] = new JsonObject { ["interval"] = "5m" } },
            "helm.toolkit.fluxcd.io", "v2", ns, "helmreleases"));
        Assert.Equal((HttpStatusCode)422, neither.StatusCode);
        Assert.Equal("HelmRelease.helm.toolkit.fluxcd.io \"bad\" is invalid: spec: Invalid value: \"object\": either chart or chartRef must be set", neither.Message);

        var badType = await ApiError.From(() => fixture.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject { ["apiVersion"] = "source.toolkit.fluxcd.io/v1", ["kind"] = "HelmRepository", ["metadata"] = new JsonObject { ["name"] = "bad" }, ["spec"] = new JsonObject { ["url"] = "ftp://charts.example.com", ["type"] = "git" } },
            "source.toolkit.fluxcd.io", "v1", ns, "helmrepositories"));
        Assert.Equal((HttpStatusCode)422, badType.StatusCode);
        Assert.Contains("spec.type: Unsupported value: \"git\": supported values: \"default\", \"oci\"", badType.Message);
        Assert.Contains("spec.url: Invalid value: \"ftp://charts.example.com\": spec.url in body should match '^(http|https|oci)://.*$'", badType.Message);

        // Defaults from the schema: chart version "*", reconcileStrategy ChartVersion.
        var created = Objects.Create(Release(ns, "defaults", "1.0.0").Also(r => r["spec"]!["chart"]!["spec"]!.AsObject().Remove("version")).Also(r => r["spec"]!["suspend"] = true));
        Assert.Equal("*", created.Str("spec", "chart", "spec", "version"));
        Assert.Equal("ChartVersion", created.Str("spec", "chart", "spec", "reconcileStrategy"));

        // Printer columns as kubectl shows them.
        Kubectl.SkipIfMissing();
        CreateRepository(ns, fixture.Repository.Url);
        await Objects.WaitForAsync("source.toolkit.fluxcd.io/v1", "HelmRepository", "charts", ns, o => Condition(o, "Ready")?.Str("status") == "True", Timeout);
        var table = await Kubectl.Run(fixture.KubeconfigPath, $"get helmrepositories -n {ns}");
        Assert.Equal(0, table.ExitCode);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+URL\s+AGE\s+READY\s+STATUS$", lines[0]);
        Assert.Matches($@"^charts\s+{System.Text.RegularExpressions.Regex.Escape(fixture.Repository.Url)}\s+\S+\s+True\s+stored artifact: revision 'sha256:[0-9a-f]{{64}}'$", lines[1]);
    }

    [SkippableFact]
    public async Task a_helm_release_installs_the_chart_records_helm_storage_and_upgrades_to_a_new_version()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        var ns = NewNamespace("install");
        var target = NewNamespace("apps");
        CreateRepository(ns, fixture.Repository.Url);
        Objects.Create(Release(ns, "web", "1.0.0", new JsonObject { ["replicaCount"] = 2 },
            new JsonObject { ["targetNamespace"] = target, ["test"] = new JsonObject { ["enable"] = true } }));

        var installed = await WaitReady(ns, "web", "True", "TestSucceeded");
        var release = $"{target}-web";
        Assert.Equal($"Helm install succeeded for release {target}/{release}.v1 with chart podinfo@1.0.0", Condition(installed, "Released")!.Str("message"));
        Assert.Equal("InstallSucceeded", Condition(installed, "Released")!.Str("reason"));
        Assert.Equal($"Helm test succeeded for release {target}/{release}.v1 with chart podinfo@1.0.0: no test hooks", Condition(installed, "TestSuccess")!.Str("message"));
        var history = installed.At("status", "history").Objects().ToList();
        Assert.Equal(("deployed", "podinfo", "1.0.0", "6.1.0.0", 1L), (history[0].Str("status"), history[0].Str("chartName"), history[0].Str("chartVersion"), history[0].Str("appVersion"), history[0].Long("version")));
        Assert.Equal($"{ns}/{ns}-web", installed.Str("status", "helmChart"));
        Assert.Equal("1.0.0", installed.Str("status", "lastAttemptedRevision"));
        Assert.Contains(FluxController_Finalizer, installed.At("metadata", "finalizers")!.AsArray().Select(f => f!.ToString()));

        var configMap = Objects.Get("v1", "ConfigMap", "podinfo-config", target)!;
        Assert.Equal("1.0.0", configMap.Str("data", "version"));
        Assert.Equal("Helm", configMap.Str("metadata", "labels", "app.kubernetes.io/managed-by"));
        Assert.Equal(release, configMap.Str("metadata", "annotations", "meta.helm.sh/release-name"));
        // The Deployment template uses {{ }}: KubeSim renders no Go templates, so it is not applied.
        Assert.Null(Objects.Get("apps/v1", "Deployment", release, target));

        var secret = Assert.Single(StorageSecrets(ns, release));
        Assert.Equal($"sh.helm.release.v1.{release}.v1", secret.Str("metadata", "name"));
        Assert.Equal("helm.sh/release.v1", secret.Str("type"));
        Assert.Equal(("helm", "deployed", "1"), (secret.Str("metadata", "labels", "owner"), secret.Str("metadata", "labels", "status"), secret.Str("metadata", "labels", "version")));
        var stored = DecodeRelease(secret);
        Assert.Equal(2, stored["config"]!["replicaCount"]!.GetValue<int>());
        Assert.Equal("deployed", stored.Str("info", "status"));

        var chart = await Objects.WaitForAsync("source.toolkit.fluxcd.io/v1", "HelmChart", $"{ns}-web", ns, o => Condition(o, "Ready")?.Str("status") == "True", Timeout);
        Assert.Equal("pulled 'podinfo' chart with version '1.0.0'", Condition(chart, "Ready")!.Str("message"));

        Objects.MergePatch("helm.toolkit.fluxcd.io/v2", "HelmRelease", "web", ns,
            JsonNode.Parse("""{"spec":{"chart":{"spec":{"version":"1.1.0"}}}}""")!.AsObject());
        var upgraded = await WaitRelease(ns, "web", o => Condition(o, "Released") is { } c && c.Str("reason") == "UpgradeSucceeded" && Condition(o, "Ready")?.Str("status") == "True");
        Assert.Equal($"Helm upgrade succeeded for release {target}/{release}.v2 with chart podinfo@1.1.0", Condition(upgraded, "Released")!.Str("message"));
        Assert.Equal([("deployed", "1.1.0", 2L), ("superseded", "1.0.0", 1L)],
            upgraded.At("status", "history").Objects().Select(h => (h.Str("status")!, h.Str("chartVersion")!, h.Long("version")!.Value)));
        Assert.Equal("1.1.0", Objects.Get("v1", "ConfigMap", "podinfo-config", target)!.Str("data", "version"));
        Assert.Equal(["superseded", "deployed"], StorageSecrets(ns, release).OrderBy(s => s.Str("metadata", "labels", "version")).Select(s => s.Str("metadata", "labels", "status")!));
    }

    const string FluxController_Finalizer = "finalizers.fluxcd.io";

    static JsonObject DecodeRelease(JsonObject secret)
    {
        var helmEncoded = Encoding.ASCII.GetString(Convert.FromBase64String(secret.Str("data", "release")!));
        using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(helmEncoded)), CompressionMode.Decompress);
        return JsonNode.Parse(gzip)!.AsObject();
    }

    [SkippableFact]
    public async Task values_that_break_the_chart_schema_fail_the_install_with_helms_message_and_store_nothing()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        var ns = NewNamespace("schema");
        CreateRepository(ns, fixture.Repository.Url);
        Objects.Create(Release(ns, "web", "1.0.0", new JsonObject { ["replicaCount"] = "two" }));

        var failed = await WaitReady(ns, "web", "False", "InstallFailed");
        Assert.Equal($"Helm install failed for release {ns}/web with chart podinfo@1.0.0: values don't meet the specifications of the schema(s) in the following chart(s):\npodinfo:\n- at '/replicaCount': got string, want integer",
            Condition(failed, "Ready")!.Str("message"));
        Assert.Equal("InstallFailed", Condition(failed, "Released")!.Str("reason"));
        Assert.Empty(StorageSecrets(ns, "web"));
        Assert.Null(Objects.Get("v1", "ConfigMap", "podinfo-config", ns));
        Assert.Null(failed.At("status", "history"));
    }

    [SkippableFact]
    public async Task a_missing_chart_version_leaves_the_helm_chart_and_the_release_not_ready_with_the_real_reasons()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        var ns = NewNamespace("missing");
        CreateRepository(ns, fixture.Repository.Url);
        Objects.Create(Release(ns, "web", "9.9.9"));

        // Until the HelmRepository has its artifact, the HelmChart waits (NoSourceArtifact); then the version is looked up.
        var chart = await Objects.WaitForAsync("source.toolkit.fluxcd.io/v1", "HelmChart", $"{ns}-web", ns,
            o => Condition(o, "Ready") is { } c && c.Str("status") == "False" && c.Str("reason") != "NoSourceArtifact", Timeout);
        const string message = "invalid chart reference: failed to get chart version for remote reference: no 'podinfo' chart with version matching '9.9.9' found";
        Assert.Equal(("InvalidChartReference", message), (Condition(chart, "Ready")!.Str("reason"), Condition(chart, "Ready")!.Str("message")));
        var release = await WaitRelease(ns, "web", o => Condition(o, "Ready") is { } c && c.Str("reason") == "SourceNotReady" && c.Str("message")!.Contains("invalid chart reference"));
        Assert.Equal(("False", $"HelmChart '{ns}/{ns}-web' is not ready: {message}"), (Condition(release, "Ready")!.Str("status"), Condition(release, "Ready")!.Str("message")));

        // A broken index fails the HelmRepository with source-controller's reason.
        var broken = NewNamespace("broken");
        await using var repo = await ChartRepositoryServer.StartAsync(FluxCluster.Podinfo("1.0.0"));
        repo.BrokenIndex = true;
        CreateRepository(broken, repo.Url);
        var failed = await Objects.WaitForAsync("source.toolkit.fluxcd.io/v1", "HelmRepository", "charts", broken, o => Condition(o, "Ready")?.Str("status") == "False", Timeout);
        Assert.Equal("IndexationFailed", Condition(failed, "Ready")!.Str("reason"));
        Assert.StartsWith("failed to load Helm repository from index YAML: ", Condition(failed, "Ready")!.Str("message"));
        Assert.Equal("True", Condition(failed, "FetchFailed")!.Str("status"));
    }

    [SkippableFact]
    public async Task a_failing_upgrade_is_remediated_by_a_rollback_to_the_previous_release()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        var ns = NewNamespace("rollback");
        CreateRepository(ns, fixture.Repository.Url);
        Objects.Create(Release(ns, "web", "1.0.0", extraSpec: new JsonObject
        {
            ["upgrade"] = new JsonObject { ["remediation"] = new JsonObject { ["remediateLastFailure"] = true } },
        }));
        await WaitReady(ns, "web", "True", "InstallSucceeded");

        Objects.MergePatch("helm.toolkit.fluxcd.io/v2", "HelmRelease", "web", ns, JsonNode.Parse("""
            {"metadata":{"annotations":{"kubesim.cocktail.io/helm-failure":"context deadline exceeded"}},"spec":{"chart":{"spec":{"version":"1.1.0"}}}}
            """)!.AsObject());
        var remediated = await WaitRelease(ns, "web", o => Condition(o, "Remediated")?.Str("reason") == "RollbackSucceeded");
        Assert.Equal($"Helm rollback to previous release {ns}/web.v1 with chart podinfo@1.0.0 succeeded", Condition(remediated, "Remediated")!.Str("message"));
        Assert.Equal(("False", "RollbackSucceeded"), (Condition(remediated, "Ready")!.Str("status"), Condition(remediated, "Ready")!.Str("reason")));
        Assert.Equal($"Helm upgrade failed for release {ns}/web with chart podinfo@1.1.0: context deadline exceeded", Condition(remediated, "Released")!.Str("message"));
        Assert.Equal([("deployed", "1.0.0", 3L), ("superseded", "1.1.0", 2L), ("superseded", "1.0.0", 1L)],
            remediated.At("status", "history").Objects().Select(h => (h.Str("status")!, h.Str("chartVersion")!, h.Long("version")!.Value)));
        Assert.Equal(1, remediated.Long("status", "upgradeFailures"));
        Assert.Equal("1.0.0", Objects.Get("v1", "ConfigMap", "podinfo-config", ns)!.Str("data", "version"));
        Assert.Equal("Rollback to 1", DecodeRelease(Objects.Get("v1", "Secret", "sh.helm.release.v1.web.v3", ns)!).Str("info", "description"));

        var stalled = await WaitRelease(ns, "web", o => Condition(o, "Stalled")?.Str("status") == "True");
        Assert.Equal(("RetriesExceeded", "Failed to upgrade after 1 attempt(s)"), (Condition(stalled, "Stalled")!.Str("reason"), Condition(stalled, "Stalled")!.Str("message")));
    }

    [SkippableFact]
    public async Task a_failing_install_is_remediated_by_uninstalling_retried_and_stalls_once_retries_are_spent()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        var ns = NewNamespace("reinstall");
        CreateRepository(ns, fixture.Repository.Url);
        var release = Release(ns, "web", "1.0.0", extraSpec: new JsonObject
        {
            ["install"] = new JsonObject { ["remediation"] = new JsonObject { ["retries"] = 1 } },
        });
        release["metadata"]!["annotations"] = new JsonObject { ["kubesim.cocktail.io/helm-failure"] = "timed out waiting for the condition" };
        Objects.Create(release);

        var stalled = await WaitRelease(ns, "web", o => Condition(o, "Stalled")?.Str("status") == "True");
        Assert.Equal(("RetriesExceeded", "Failed to install after 2 attempt(s)"), (Condition(stalled, "Stalled")!.Str("reason"), Condition(stalled, "Stalled")!.Str("message")));
        Assert.Equal(2, stalled.Long("status", "installFailures"));
        Assert.Equal(("UninstallSucceeded", $"Helm uninstall succeeded for release {ns}/web.v1 with chart podinfo@1.0.0"),
            (Condition(stalled, "Remediated")!.Str("reason"), Condition(stalled, "Remediated")!.Str("message")));
        Assert.Equal($"Helm install failed for release {ns}/web with chart podinfo@1.0.0: timed out waiting for the condition", Condition(stalled, "Released")!.Str("message"));
        Assert.Equal("uninstalled", stalled.At("status", "history").Objects().Single().Str("status"));
        Assert.Empty(StorageSecrets(ns, "web"));
        Assert.Null(Objects.Get("v1", "ConfigMap", "podinfo-config", ns));
        Assert.Equal(2, Objects.List("v1", "Event", ns).Count(e => e.Str("reason") == "InstallFailed"));
    }

    [SkippableFact]
    public async Task deleting_a_helm_release_uninstalls_its_objects_and_storage()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        var ns = NewNamespace("uninstall");
        CreateRepository(ns, fixture.Repository.Url);
        Objects.Create(Release(ns, "web", "1.0.0"));
        await WaitReady(ns, "web", "True", "InstallSucceeded");
        Assert.NotNull(Objects.Get("v1", "ConfigMap", "podinfo-config", ns));

        Objects.Delete("helm.toolkit.fluxcd.io/v2", "HelmRelease", "web", ns);
        await Eventually.Until(() => Task.FromResult(Objects.Get("helm.toolkit.fluxcd.io/v2", "HelmRelease", "web", ns) is null), Timeout, "the HelmRelease to be gone");
        Assert.Null(Objects.Get("v1", "ConfigMap", "podinfo-config", ns));
        Assert.Empty(StorageSecrets(ns, "web"));
        await Eventually.Until(() => Task.FromResult(Objects.Get("source.toolkit.fluxcd.io/v1", "HelmChart", $"{ns}-web", ns) is null), Timeout, "the HelmChart to be gone");
        Assert.Contains(Objects.List("v1", "Event", ns), e => e.Str("reason") == "UninstallSucceeded"
            && e.Str("message") == $"Helm uninstall succeeded for release {ns}/web.v1 with chart podinfo@1.0.0");
    }

    [SkippableFact]
    public async Task a_namespace_scoped_service_account_installs_in_its_namespace_and_is_refused_outside_it()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        var ns = NewNamespace("team");
        Objects.EnsureNamespace("elsewhere");
        Objects.Create(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ServiceAccount", ["metadata"] = new JsonObject { ["name"] = "cocktail-helm", ["namespace"] = ns } });
        Objects.Create(new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1", ["kind"] = "RoleBinding",
            ["metadata"] = new JsonObject { ["name"] = "cocktail-helm-admin", ["namespace"] = ns },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = "admin" },
            ["subjects"] = new JsonArray(new JsonObject { ["kind"] = "ServiceAccount", ["name"] = "cocktail-helm", ["namespace"] = ns }),
        });
        CreateRepository(ns, fixture.Repository.Url);
        var asAccount = new JsonObject { ["serviceAccountName"] = "cocktail-helm" };
        Objects.Create(Release(ns, "own", "1.0.0", extraSpec: asAccount));
        Objects.Create(Release(ns, "stray", "2.0.0", extraSpec: asAccount, chart: "stray"));

        await WaitReady(ns, "own", "True", "InstallSucceeded");
        Assert.Equal("1.0.0", Objects.Get("v1", "ConfigMap", "podinfo-config", ns)!.Str("data", "version"));
        Assert.Equal("deployed", Assert.Single(StorageSecrets(ns, "own")).Str("metadata", "labels", "status"));

        var refused = await WaitReady(ns, "stray", "False", "InstallFailed");
        Assert.Equal($"Helm install failed for release {ns}/stray with chart stray@2.0.0: Unable to continue with install: could not get information about the resource ConfigMap \"podinfo-config\" in namespace \"elsewhere\": " +
                     $"configmaps \"podinfo-config\" is forbidden: User \"system:serviceaccount:{ns}:cocktail-helm\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"elsewhere\"",
            Condition(refused, "Ready")!.Str("message"));
        Assert.Null(Objects.Get("v1", "ConfigMap", "podinfo-config", "elsewhere"));
        Assert.Empty(StorageSecrets(ns, "stray"));
    }

    [SkippableFact]
    public async Task a_release_beyond_the_namespace_quota_fails_in_admission_and_is_recorded_as_failed()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        var ns = NewNamespace("quota");
        Objects.Create(new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ResourceQuota",
            ["metadata"] = new JsonObject { ["name"] = "service-map", ["namespace"] = ns },
            ["spec"] = new JsonObject { ["hard"] = new JsonObject { ["count/configmaps"] = "0" } },
        });
        await Objects.WaitForAsync("v1", "ResourceQuota", "service-map", ns, q => q.At("status", "hard") is not null, Timeout);
        CreateRepository(ns, fixture.Repository.Url);
        Objects.Create(Release(ns, "web", "1.0.0"));

        var failed = await WaitReady(ns, "web", "False", "InstallFailed");
        var message = Condition(failed, "Ready")!.Str("message")!;
        Assert.StartsWith($"Helm install failed for release {ns}/web with chart podinfo@1.0.0: configmaps \"podinfo-config\" is forbidden: exceeded quota: service-map", message);
        // The release was stored before the apply failed: Helm records it as failed, and the failure counts.
        Assert.Equal(("failed", 1L), (failed.At("status", "history").Objects().Single().Str("status"), failed.Long("status", "installFailures")));
        Assert.Equal("failed", Assert.Single(StorageSecrets(ns, "web")).Str("metadata", "labels", "status"));
        Assert.Null(Objects.Get("v1", "ConfigMap", "podinfo-config", ns));
    }

    [SkippableFact]
    public async Task charts_from_an_oci_registry_install_through_a_helm_repository_of_type_oci_and_an_oci_repository()
    {
        Skip.If(SimulatorOnly.AgainstRealCluster, "simulator-only");
        Skip.IfNot(TestRegistry.Available, "the registry is not installed (/usr/bin/docker-registry)");
        await using var registry = await TestRegistry.StartAsync();
        var pushed = await OciCharts.PushAsync(registry.Authority, "charts", FluxCluster.Podinfo("1.0.0"));
        await OciCharts.PushAsync(registry.Authority, "charts", FluxCluster.Podinfo("1.1.0"));

        var ns = NewNamespace("oci");
        CreateRepository(ns, pushed.RepositoryUrl, type: "oci");
        Objects.Create(Release(ns, "from-repo", "1.x"));
        var viaRepository = await WaitReady(ns, "from-repo", "True", "InstallSucceeded");
        Assert.Equal("1.1.0", viaRepository.At("status", "history").Objects().First().Str("chartVersion"));
        // source-controller treats a HelmRepository of type oci as static: no artifact, no conditions, no finalizer.
        var staticRepository = Objects.Get("source.toolkit.fluxcd.io/v1", "HelmRepository", "charts", ns)!;
        Assert.Equal((null, null, 1L), (staticRepository.At("status", "artifact"), staticRepository.At("status", "conditions"), staticRepository.Long("status", "observedGeneration")));
        Assert.Null(staticRepository.At("metadata", "finalizers"));

        var ns2 = NewNamespace("ociref");
        Objects.Create(new JsonObject
        {
            ["apiVersion"] = "source.toolkit.fluxcd.io/v1", ["kind"] = "OCIRepository",
            ["metadata"] = new JsonObject { ["name"] = "podinfo", ["namespace"] = ns2 },
            ["spec"] = new JsonObject { ["interval"] = "10m", ["url"] = pushed.ChartUrl, ["ref"] = new JsonObject { ["tag"] = "1.0.0" } },
        });
        Objects.Create(new JsonObject
        {
            ["apiVersion"] = "helm.toolkit.fluxcd.io/v2", ["kind"] = "HelmRelease",
            ["metadata"] = new JsonObject { ["name"] = "from-ref", ["namespace"] = ns2 },
            ["spec"] = new JsonObject { ["interval"] = "10m", ["chartRef"] = new JsonObject { ["kind"] = "OCIRepository", ["name"] = "podinfo" } },
        });
        var viaRef = await WaitReady(ns2, "from-ref", "True", "InstallSucceeded");
        var latest = viaRef.At("status", "history").Objects().First();
        Assert.Equal(("1.0.0", pushed.Digest), (latest.Str("chartVersion"), latest.Str("ociDigest")));
        var source = Objects.Get("source.toolkit.fluxcd.io/v1", "OCIRepository", "podinfo", ns2)!;
        Assert.Equal($"stored artifact for digest '1.0.0@{pushed.Digest}'", Condition(source, "Ready")!.Str("message"));
    }
}

static class FluxJson
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}
