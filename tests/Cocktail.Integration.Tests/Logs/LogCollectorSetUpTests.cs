using System.Net;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using YamlDotNet.RepresentationModel;

namespace Cocktail.Integration.Tests.Logs;

[Collection(OtlpCollection.Name)]
public sealed class LogCollectorSetUpTests(OtlpApp app)
{
    [SkippableFact]
    public async Task the_set_up_shows_the_token_once_and_its_manifests_parse_and_pass_kubectl_dry_run()
    {
        await using var sim = await ClusterApp.StartClusterAsync(nodes: 1);
        using var admin = await app.AsAdminAsync();
        var clusterId = (string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!;
        var url = $"/api/v1/clusters/{clusterId}/log-collector";

        var before = await (await admin.GetAsync(url)).BodyAsync();
        var created = await admin.PostAsync($"{url}/rotate", null);
        var createdBody = await created.BodyAsync();
        var token = Cocktail.Testing.TestSecrets.Remember((string)createdBody["token"]!);
        var after = await admin.GetAsync(url);
        var afterText = await after.Content.ReadAsStringAsync();
        var events = await (await admin.GetAsync($"/api/v1/audit/events?streamId={clusterId}&pageSize=50")).Content.ReadAsStringAsync();

        Assert.False((bool?)before["hasToken"]);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
        Assert.StartsWith("ckl_", token);
        Assert.Contains(token, (string?)createdBody["secretManifest"]);
        Assert.DoesNotContain(token, afterText);
        Assert.Contains("\"hasToken\":true", afterText);
        Assert.DoesNotContain(token, events);
        Assert.Contains("created " + sim.Name + "'s log collection token", events);

        var manifests = (string)createdBody["manifests"]!;
        var stream = new YamlStream();
        stream.Load(new StringReader(manifests));
        var kinds = stream.Documents.Select(d => ((YamlScalarNode)((YamlMappingNode)d.RootNode)["kind"]).Value).ToList();
        Assert.Equal(["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "DaemonSet"], kinds);
        var configMap = (YamlMappingNode)stream.Documents[4].RootNode;
        var relay = ((YamlScalarNode)((YamlMappingNode)configMap["data"])["relay.yaml"]).Value!;
        var config = new YamlStream();
        config.Load(new StringReader(relay));
        var root = (YamlMappingNode)config.Documents[0].RootNode;
        Assert.Equal(app.BaseAddress.ToString().TrimEnd('/'), ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)root["exporters"])["otlphttp/cocktail"])["endpoint"]).Value);
        Assert.Contains("k8sattributes", relay);
        Assert.Contains("/var/log/pods/*/*/*.log", relay);
        Assert.Contains("Bearer ${env:COCKTAIL_LOGS_TOKEN}", relay);

        var (exit, output) = await KubectlApplyDryRunAsync(sim.AdminKubeconfigYaml, manifests + "---\n" + (string)createdBody["secretManifest"]!);
        Assert.True(exit == 0, output);
        Assert.Contains("daemonset.apps/cocktail-log-collector created (dry run)", output);
    }

    private static async Task<(int, string)> KubectlApplyDryRunAsync(string kubeconfig, string manifests)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, manifests);
        try { return await Grants.KubectlAsync(kubeconfig, "apply", "--dry-run=client", "--validate=false", "-f", file); }
        finally { File.Delete(file); }
    }
}
