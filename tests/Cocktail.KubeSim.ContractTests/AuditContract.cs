using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Audit;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// Simulator-only: the audit webhook backend, configured like --audit-webhook-config-file, posts
/// audit.k8s.io/v1 EventList batches with the real event fields to a webhook (here a local HTTP listener).
/// </summary>
public sealed class AuditContract : IAsyncLifetime
{
    readonly HttpListener _webhook = new();
    readonly ConcurrentQueue<JsonObject> _batches = new();
    readonly ConcurrentQueue<string?> _authorizations = new();
    int _failuresToAnswer;
    string _url = "";
    Task _serving = Task.CompletedTask;

    public Task InitializeAsync()
    {
        var port = FreePort();
        _url = $"http://127.0.0.1:{port}/audit/";
        _webhook.Prefixes.Add(_url);
        _webhook.Start();
        _serving = Task.Run(Serve);
        return Task.CompletedTask;
    }

    static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    async Task Serve()
    {
        while (_webhook.IsListening)
        {
            HttpListenerContext context;
            try { context = await _webhook.GetContextAsync(); }
            catch (Exception) { return; }
            if (Interlocked.Decrement(ref _failuresToAnswer) >= 0)
            {
                context.Response.StatusCode = 500;
                context.Response.Close();
                continue;
            }
            var body = await new StreamReader(context.Request.InputStream).ReadToEndAsync();
            _authorizations.Enqueue(context.Request.Headers["Authorization"]);
            _batches.Enqueue((JsonObject)JsonNode.Parse(body)!);
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public async Task DisposeAsync()
    {
        _webhook.Stop();
        _webhook.Close();
        await _serving;
    }

    string WebhookKubeconfig => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: audit-sink
          cluster:
            server: {_url}
        contexts:
        - name: default
          context:
            cluster: audit-sink
            user: apiserver
        current-context: default
        users:
        - name: apiserver
          user:
            token: audit-token
        """;

    IEnumerable<JsonObject> Events => _batches.SelectMany(b => b["items"]!.AsArray().OfType<JsonObject>());

    [SkippableFact]
    public async Task requests_are_sent_to_the_webhook_as_event_lists_with_the_real_fields()
    {
        SimulatorOnly.Require();
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions
        {
            Name = "audited",
            Audit = new AuditOptions { WebhookKubeconfigYaml = WebhookKubeconfig, Level = AuditLevel.RequestResponse, BatchMaxWait = TimeSpan.FromMilliseconds(100) },
        });
        using var client = ClusterUnderTest.ClientForYaml(sim.AdminKubeconfigYaml);
        await client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("audited"), "default");
        await ApiError.From(() => client.CoreV1.ReadNamespacedConfigMapAsync("missing", "default"));
        await Eventually.Until(() => Task.FromResult(Events.Any(e => e["verb"]?.GetValue<string>() == "get")));
        var batch = _batches.First();
        Assert.Equal("EventList", batch["kind"]!.GetValue<string>());
        Assert.Equal("audit.k8s.io/v1", batch["apiVersion"]!.GetValue<string>());
        // The apiserver completes a create's objectRef from the decoded body (audit.LogRequestObject), name included.
        var create = Events.Single(e => e["verb"]!.GetValue<string>() == "create" && e["objectRef"]?["name"]?.GetValue<string>() == "audited" && e["objectRef"]?["resource"]?.GetValue<string>() == "configmaps");
        Assert.Equal("Event", create["kind"]!.GetValue<string>());
        Assert.Equal("ResponseComplete", create["stage"]!.GetValue<string>());
        Assert.Equal("RequestResponse", create["level"]!.GetValue<string>());
        Assert.Equal("/api/v1/namespaces/default/configmaps", create["requestURI"]!.GetValue<string>());
        Assert.Equal(KubeSimCluster.AdminUser, create["user"]!["username"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", create["sourceIPs"]![0]!.GetValue<string>());
        Assert.Equal("default", create["objectRef"]!["namespace"]!.GetValue<string>());
        Assert.Equal("v1", create["objectRef"]!["apiVersion"]!.GetValue<string>());
        Assert.Equal(201, create["responseStatus"]!["code"]!.GetValue<int>());
        Assert.Equal("audited", create["requestObject"]!["metadata"]!["name"]!.GetValue<string>());
        Assert.NotNull(create["responseObject"]?["metadata"]?["uid"]);
        Assert.False(string.IsNullOrEmpty(create["auditID"]!.GetValue<string>()));
        Assert.NotNull(create["requestReceivedTimestamp"]);
        Assert.NotNull(create["stageTimestamp"]);
        var notFound = Events.Single(e => e["verb"]!.GetValue<string>() == "get" && e["objectRef"]?["name"]?.GetValue<string>() == "missing");
        Assert.Equal(404, notFound["responseStatus"]!["code"]!.GetValue<int>());
        Assert.Equal("NotFound", notFound["responseStatus"]!["reason"]!.GetValue<string>());
    }

    /// <summary>
    /// client-go's clientcmd merges a kubeconfig user's credentials only for a TLS transport: an apiserver whose
    /// webhook kubeconfig names an http server sends its batches without the token (a real 1.35 apiserver did).
    /// </summary>
    [SkippableFact]
    public async Task a_webhook_kubeconfig_token_is_not_sent_to_a_plain_http_server()
    {
        SimulatorOnly.Require();
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions
        {
            Name = "plain-http",
            Audit = new AuditOptions { WebhookKubeconfigYaml = WebhookKubeconfig, BatchMaxWait = TimeSpan.FromMilliseconds(50) },
        });
        using var client = ClusterUnderTest.ClientForYaml(sim.AdminKubeconfigYaml);
        await client.CoreV1.ListNamespaceAsync();
        await Eventually.Until(() => Task.FromResult(!_authorizations.IsEmpty));
        Assert.Contains("token: audit-token", WebhookKubeconfig);
        Assert.All(_authorizations, Assert.Null);
    }

    [SkippableFact]
    public async Task a_failing_webhook_is_retried_before_the_batch_is_delivered()
    {
        SimulatorOnly.Require();
        _failuresToAnswer = 2;
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "retrying" });
        await sim.Audit.ConfigureAsync(new AuditOptions
        {
            WebhookKubeconfigYaml = WebhookKubeconfig,
            BatchMaxWait = TimeSpan.FromMilliseconds(50),
            InitialBackoff = TimeSpan.FromMilliseconds(20),
        });
        using var client = ClusterUnderTest.ClientForYaml(sim.AdminKubeconfigYaml);
        await client.CoreV1.ListNamespaceAsync();
        await Eventually.Until(() => Task.FromResult(Events.Any(e => e["verb"]?.GetValue<string>() == "list")));
        Assert.Equal(0, sim.Audit.DroppedEvents);
    }

    [SkippableFact]
    public async Task synthetic_audit_load_arrives_in_batches_of_at_most_the_configured_size()
    {
        SimulatorOnly.Require();
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "loaded" });
        await sim.Audit.ConfigureAsync(new AuditOptions { WebhookKubeconfigYaml = WebhookKubeconfig, BatchMaxSize = 50, BatchMaxWait = TimeSpan.FromMilliseconds(100) });
        var generated = await sim.Audit.GenerateSyntheticLoadAsync(1000, TimeSpan.FromMilliseconds(500));
        await Eventually.Until(() => Task.FromResult(Events.Count() >= generated));
        // The generator's rate depends on the machine's load (other contract classes run beside this one); what matters
        // is that there were more events than one batch holds, several times over.
        Assert.True(generated > 3 * 50, $"only {generated} events were generated");
        Assert.All(_batches, b => Assert.True(b["items"]!.AsArray().Count <= 50));
    }
}
