using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>The kubectl commands Cocktail's operators rely on, run against the cluster under test.</summary>
[Collection(ContractCollection.Name)]
public sealed class KubectlContract(ClusterUnderTest cluster)
{
    Task<Kubectl.Result> Run(string args, string? stdin = null) => Kubectl.Run(cluster.KubeconfigPath, args, stdin);

    static void Succeeded(Kubectl.Result r) => Assert.True(r.ExitCode == 0, $"kubectl failed ({r.ExitCode}): {r.Stderr}");

    [SkippableFact]
    public async Task kubectl_version_and_api_resources_work()
    {
        Kubectl.SkipIfMissing();
        var version = await Run("version -o json");
        Succeeded(version);
        Assert.Contains("\"serverVersion\"", version.Stdout);
        var resources = await Run("api-resources");
        Succeeded(resources);
        Assert.Matches(@"deployments\s+deploy\s+apps/v1\s+true\s+Deployment", resources.Stdout);
        Assert.Matches(@"pods\s+po\s+v1\s+true\s+Pod", resources.Stdout);
    }

    const string Manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: nginx
                image: nginx:1.27
                resources:
                  requests: {cpu: 10m, memory: 16Mi}
        """;

    [SkippableFact]

    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task kubectl_create_get_scale_apply_describe_logs_and_delete_a_deployment()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kubectl");
        Succeeded(await Run($"create -n {ns} -f -", Manifest));
        var get = await Run($"get deploy web -n {ns}");
        Succeeded(get);
        Assert.Matches(@"NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", get.Stdout);
        Succeeded(await Run($"scale deploy web -n {ns} --replicas=2"));
        // kubectl create made "kubectl-create" the owner of the image; taking it over needs --force-conflicts,
        // exactly as on a real cluster.
        Succeeded(await Run($"apply --server-side --force-conflicts -n {ns} -f -", Manifest.Replace("image: nginx:1.27", "image: nginx:1.28").Replace("replicas: 1", "replicas: 2")));
        await Deployments.WaitFor(cluster.Client, ns, "web", d => d.Status?.AvailableReplicas == 2 && d.Status.UpdatedReplicas == 2, "the applied rollout completes");
        var pod = (await Run($"get pods -n {ns} -o jsonpath={{.items[0].metadata.name}}")).Stdout;
        var describe = await Run($"describe pod {pod} -n {ns}");
        Succeeded(describe);
        Assert.Contains("Events:", describe.Stdout);
        Assert.Contains("Scheduled", describe.Stdout);
        // A container that has logged for a while has more than two lines; --tail keeps the last two.
        var logs = await Eventually.Get(() => Run($"logs {pod} -n {ns} --tail=2"), r => r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 2, TimeSpan.FromSeconds(60));
        Succeeded(logs);
        Succeeded(await Run($"delete deploy web -n {ns}"));
        var gone = await Run($"get deploy web -n {ns}");
        Assert.NotEqual(0, gone.ExitCode);
        Assert.Contains("NotFound", gone.Stderr);
    }

    [SkippableFact]
    public async Task kubectl_auth_can_i_and_create_token_work()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kubectl");
        var can = await Run($"auth can-i list pods -n {ns}");
        Assert.Equal("yes", can.Stdout.Trim());
        var cannot = await Run($"auth can-i list pods -n {ns} --as=system:serviceaccount:{ns}:default");
        Assert.Equal("no", cannot.Stdout.Trim());
        var token = await Run($"create token default -n {ns} --duration=15m");
        Succeeded(token);
        Assert.Equal(3, token.Stdout.Trim().Split('.').Length);
        var tooShort = await Run($"create token default -n {ns} --duration=5m");
        Assert.NotEqual(0, tooShort.ExitCode);
        Assert.Contains("may not specify a duration less than 10 minutes", tooShort.Stderr);
    }

    [SkippableFact]
    public async Task kubectl_get_pods_prints_server_side_columns()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kubectl");
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("printed"), ns);
        var get = await Run($"get pods -n {ns} -o wide");
        Succeeded(get);
        Assert.Matches(@"NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE", get.Stdout);
        Assert.Contains("printed", get.Stdout);
    }

    [SkippableFact]
    public async Task kubectl_create_with_an_undeclared_field_is_refused_by_strict_field_validation()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kubectl");
        const string bogus = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo}\ndata: {a: b}\ndatta: {c: d}\n";
        var refused = await Run($"create -n {ns} -f -", bogus);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"datta\"", refused.Stderr);
        Succeeded(await Run($"create -n {ns} --validate=false -f -", bogus));
        var stored = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("typo", ns);
        Assert.Equal("b", stored.Data["a"]);
    }

    [SkippableFact]
    public async Task kubectl_shows_the_pod_security_warning_for_a_workload_in_a_warn_namespace()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kubectl", new Dictionary<string, string> { ["pod-security.kubernetes.io/warn"] = "restricted" });
        var created = await Run($"create -n {ns} -f -", Manifest);
        Succeeded(created);
        Assert.Contains("Warning: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"nginx\" must set securityContext.allowPrivilegeEscalation=false)", created.Stderr);
    }

    [SkippableFact]
    public async Task kubectl_get_prints_a_custom_resources_printer_columns()
    {
        Kubectl.SkipIfMissing();
        var group = $"g{Guid.NewGuid().ToString("N")[..6]}.cocktail.example.com";
        var crd = $$"""
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: widgets.{{group}}}
            spec:
              group: {{group}}
              scope: Namespaced
              names: {plural: widgets, singular: widget, kind: Widget}
              versions:
              - name: v1
                served: true
                storage: true
                additionalPrinterColumns:
                - {name: Size, type: integer, jsonPath: .spec.size}
                schema:
                  openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """;
        Succeeded(await Run("create -f -", crd));
        try
        {
            var ns = await cluster.NewNamespaceAsync("kubectl");
            await Eventually.Until(async () => (await Run($"create -n {ns} -f -", $"apiVersion: {group}/v1\nkind: Widget\nmetadata: {{name: w1}}\nspec: {{size: 7}}\n")).ExitCode == 0,
                because: "the CRD becomes established");
            var get = await Run($"get widgets.{group} -n {ns}");
            Succeeded(get);
            Assert.Matches(@"NAME\s+SIZE", get.Stdout);
            Assert.Matches(@"w1\s+7", get.Stdout);
        }
        finally
        {
            await Run($"delete crd widgets.{group}");
        }
    }
}
