using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// Pod exec over WebSocket as kube-apiserver serves it (KEP-4006): v5.channel.k8s.io preferred, v4.channel.k8s.io
/// otherwise, channel-prefixed binary frames, the v4 Status on channel 3, and the "create" check on pods/exec.
/// </summary>
[Collection(ContractCollection.Name)]
[Trait(Needs.Trait, Needs.Kubelet)]
public sealed class ExecContract(ClusterUnderTest cluster)
{
    const string V5 = "v5.channel.k8s.io", V4 = "v4.channel.k8s.io";
    IKubernetes Client => cluster.Client;

    async Task<string> RunningPod(string prefix, params V1Container[] containers)
    {
        var ns = await cluster.NewNamespaceAsync(prefix);
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("shell", containers), ns);
        await Eventually.Until(async () => (await Client.CoreV1.ReadNamespacedPodAsync("shell", ns)).Status?.Phase == "Running");
        return ns;
    }

    static string ExecPath(string ns, string pod, string? container, bool tty, params string[] command)
    {
        var query = string.Join("&", command.Select(c => "command=" + Uri.EscapeDataString(c)));
        if (container is not null) query += "&container=" + container;
        return $"/api/v1/namespaces/{ns}/pods/{pod}/exec?{query}&stdin=true&stdout=true&stderr={(!tty).ToString().ToLowerInvariant()}&tty={tty.ToString().ToLowerInvariant()}";
    }

    [SkippableFact]
    public async Task v5_is_chosen_when_offered_first_and_an_interactive_shell_answers_then_reports_its_exit_code()
    {
        SimulatorOnly.Require(); // the prompt and echo are the simulated shell's
        var ns = await RunningPod("exec");
        await using var exec = await ExecSocket.ConnectAsync(cluster, ExecPath(ns, "shell", null, true, "/bin/sh"), [V5, V4]);
        Assert.Equal(V5, exec.Socket.SubProtocol);
        var first = await exec.ReceiveAsync();
        Assert.Equal([1], first); // the translator's empty stdout frame: the connection is up
        Assert.Contains("/ # ", await exec.ReadUntilAsync(1, "# "));
        await exec.SendAsync(0, "echo hello-from-exec\r");
        Assert.Contains("hello-from-exec\r\n", await exec.ReadUntilAsync(1, "hello-from-exec\r\n/ # "));
        await exec.SendAsync(4, """{"Width":120,"Height":40}""");
        await exec.SendAsync(0, "stty size\r");
        Assert.Contains("40 120", await exec.ReadUntilAsync(1, "40 120"));
        await exec.SendAsync(0, "nosuchtool\r");
        Assert.Contains("sh: nosuchtool: not found", await exec.ReadUntilAsync(1, "not found"));
        await exec.SendAsync(0, "exit 3\r");
        var status = await exec.StatusAsync();
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal("NonZeroExitCode", (string?)status["reason"]);
        Assert.Equal("ExitCode", (string?)status["details"]!["causes"]![0]!["reason"]);
        Assert.Equal("3", (string?)status["details"]!["causes"]![0]!["message"]);
        Assert.True(await exec.ClosedByServerAsync());
    }

    [SkippableFact]
    public async Task in_v5_closing_stdin_ends_the_shell_with_the_last_status()
    {
        SimulatorOnly.Require();
        var ns = await RunningPod("exec");
        await using var exec = await ExecSocket.ConnectAsync(cluster, ExecPath(ns, "shell", null, false, "sh"), [V5]);
        await exec.ReceiveAsync();
        await exec.SendAsync(0, "missing-command\n");
        Assert.Contains("sh: missing-command: not found", await exec.ReadUntilAsync(2, "not found"));
        await exec.SendRawAsync([255, 0]);
        var status = await exec.StatusAsync();
        Assert.Equal("127", (string?)status["details"]!["causes"]![0]!["message"]);
    }

    [SkippableFact]
    public async Task kubernetes_client_execs_over_v4_and_reads_output_and_exit_code()
    {
        var ns = await RunningPod("exec");
        var output = "";
        var code = await Client.NamespacedPodExecAsync("shell", ns, "app", ["sh", "-c", "echo out-line; exit 7"], false,
            async (stdin, stdout, stderr) =>
            {
                using var reader = new StreamReader(stdout);
                output = await reader.ReadToEndAsync();
            }, CancellationToken.None);
        Assert.Equal(7, code);
        Assert.Equal("out-line\n", output);
        var zero = await Client.NamespacedPodExecAsync("shell", ns, "app", ["sh", "-c", "true"], false, (_, _, _) => Task.CompletedTask, CancellationToken.None);
        Assert.Equal(0, zero);
    }

    [SkippableFact]
    public async Task an_apiserver_without_v5_answers_v4_and_the_v4_status()
    {
        SimulatorOnly.Require();
        await using var old = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "old-exec", ExecV5 = false });
        using var client = ClusterUnderTest.ClientForYaml(old.AdminKubeconfigYaml);
        await client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("shell"), "default");
        await Eventually.Until(async () => (await client.CoreV1.ReadNamespacedPodAsync("shell", "default")).Status?.Phase == "Running");
        await using var exec = await ExecSocket.ConnectAsync(old.Server, old.AdminToken, old.CaCertificatePem,
            ExecPath("default", "shell", null, true, "/bin/sh"), [V5, V4]);
        Assert.Equal(V4, exec.Socket.SubProtocol);
        Assert.Contains("/ # ", await exec.ReadUntilAsync(1, "# "));
        await exec.SendAsync(0, "exit\r");
        Assert.Equal("Success", (string?)(await exec.StatusAsync())["status"]);
    }

    [SkippableFact]
    public async Task offering_no_protocol_the_server_speaks_fails_the_handshake_with_403()
    {
        SimulatorOnly.Require(); // a real kubelet still takes the legacy channel.k8s.io
        var ns = await RunningPod("exec");
        var failure = await Assert.ThrowsAsync<WebSocketException>(() => ExecSocket.ConnectAsync(cluster, ExecPath(ns, "shell", null, true, "sh"), ["v9.channel.k8s.io"]));
        Assert.Contains("403", failure.Message);
    }

    [SkippableFact]
    public async Task a_plain_get_is_400_upgrade_required_and_missing_pods_or_containers_are_named()
    {
        var ns = await RunningPod("exec");
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath);
        using var http = new HttpClient(ExecSocket.Handler(config)) { BaseAddress = new Uri(config.Host) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", config.AccessToken);
        var plain = await http.GetAsync(ExecPath(ns, "shell", null, false, "sh"));
        var body = JsonNode.Parse(await plain.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        Assert.Equal("Upgrade request required", (string?)body["message"]);

        var noPod = await ExecSocket.RefusalAsync(cluster, ExecPath(ns, "ghost", null, true, "sh"));
        Assert.Equal(HttpStatusCode.NotFound, noPod);
        var noContainer = await ExecSocket.RefusalAsync(cluster, ExecPath(ns, "shell", "ghost", true, "sh"));
        Assert.Equal(HttpStatusCode.BadRequest, noContainer);
        var missing = await http.GetAsync(ExecPath(ns, "shell", "ghost", true, "sh"));
        Assert.Equal("container ghost is not valid for pod shell", (string?)JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["message"]);
    }

    [SkippableFact]
    public async Task get_on_pods_exec_without_create_is_403_and_create_lets_the_websocket_in()
    {
        var ns = await RunningPod("exec");
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        var token = (await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "robot", ns)).Status.Token;
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "exec-get" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods/exec"], Verbs = ["get"] }],
        }, ns);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "robot-exec" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "exec-get" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot", NamespaceProperty = ns }],
        }, ns);
        var path = ExecPath(ns, "shell", null, false, "sh", "-c", "true");
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath);
        await Eventually.Until(async () => await ExecSocket.RefusalAsync(config.Host, token, config, path) == HttpStatusCode.Forbidden);

        using var http = new HttpClient(ExecSocket.Handler(config));
        var refused = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, config.Host.TrimEnd('/') + path)
        {
            Headers = { { "Authorization", "Bearer " + token }, { "Connection", "Upgrade" }, { "Upgrade", "websocket" } },
        });
        var status = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal($"pods \"shell\" is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot create resource \"pods/exec\" in API group \"\" in the namespace \"{ns}\"",
            (string?)status["message"]);

        await Client.RbacAuthorizationV1.PatchNamespacedRoleAsync(new V1Patch("""{"rules":[{"apiGroups":[""],"resources":["pods/exec"],"verbs":["get","create"]}]}""",
            V1Patch.PatchType.MergePatch), "exec-get", ns);
        await Eventually.Until(async () => await ExecSocket.RefusalAsync(config.Host, token, config, path) is null);
    }
}

/// <summary>A raw exec WebSocket: frames in and out, as a browser terminal or client-go's v5 executor sees them.</summary>
internal sealed class ExecSocket : IAsyncDisposable
{
    public ClientWebSocket Socket { get; }
    readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(20));

    ExecSocket(ClientWebSocket socket) => Socket = socket;

    public static HttpMessageHandler Handler(KubernetesClientConfiguration config) => Handler(config.SslCaCerts);

    static SocketsHttpHandler Handler(X509Certificate2Collection? ca) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (sender, cert, chain, errors) =>
                ca is null ? errors == SslPolicyErrors.None : k8s.Kubernetes.CertificateValidationCallBack(sender, ca, cert!, chain!, errors),
        },
    };

    public static Task<ExecSocket> ConnectAsync(ClusterUnderTest cluster, string path, string[] protocols)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath);
        return ConnectAsync(config.Host, config.AccessToken, config.SslCaCerts, path, protocols);
    }

    public static Task<ExecSocket> ConnectAsync(string server, string token, string caPem, string path, string[] protocols) =>
        ConnectAsync(server, token, [X509Certificate2.CreateFromPem(caPem)], path, protocols);

    static async Task<ExecSocket> ConnectAsync(string server, string? token, X509Certificate2Collection? ca, string path, string[] protocols)
    {
        var socket = new ClientWebSocket();
        foreach (var p in protocols) socket.Options.AddSubProtocol(p);
        if (token is not null) socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        socket.Options.CollectHttpResponseDetails = true;
        var uri = new Uri(server.Replace("https://", "wss://").TrimEnd('/') + path);
        using var invoker = new HttpMessageInvoker(Handler(ca));
        await socket.ConnectAsync(uri, invoker, CancellationToken.None);
        return new ExecSocket(socket);
    }

    /// <summary>The handshake's HTTP status when the server refuses the upgrade, or null when it accepted it.</summary>
    public static Task<HttpStatusCode?> RefusalAsync(ClusterUnderTest cluster, string path)
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath);
        return RefusalAsync(config.Host, config.AccessToken, config, path);
    }

    public static async Task<HttpStatusCode?> RefusalAsync(string server, string? token, KubernetesClientConfiguration config, string path)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("v4.channel.k8s.io");
        if (token is not null) socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        socket.Options.CollectHttpResponseDetails = true;
        using var invoker = new HttpMessageInvoker(Handler(config.SslCaCerts));
        try
        {
            await socket.ConnectAsync(new Uri(server.Replace("https://", "wss://").TrimEnd('/') + path), invoker, CancellationToken.None);
            socket.Abort();
            return null;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
        finally
        {
            socket.Dispose();
        }
    }

    public Task SendAsync(byte channel, string text) => SendRawAsync([channel, .. Encoding.UTF8.GetBytes(text)]);

    public async Task SendRawAsync(byte[] frame) =>
        await Socket.SendAsync(frame, WebSocketMessageType.Binary, true, _timeout.Token);

    readonly Queue<byte[]> _received = new();

    public async Task<byte[]?> ReceiveAsync()
    {
        if (_received.TryDequeue(out var queued)) return queued;
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await Socket.ReceiveAsync(buffer, _timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage) return message.ToArray();
        }
    }

    /// <summary>What arrived on <paramref name="channel"/> until it contains <paramref name="expected"/>.</summary>
    public async Task<string> ReadUntilAsync(byte channel, string expected)
    {
        var text = new StringBuilder();
        while (!text.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var frame = await ReceiveAsync() ?? throw new InvalidOperationException($"closed before \"{expected}\"; got \"{text}\"");
            if (frame.Length > 0 && frame[0] == channel) text.Append(Encoding.UTF8.GetString(frame, 1, frame.Length - 1));
            if (frame.Length > 0 && frame[0] == 3) throw new InvalidOperationException($"status before \"{expected}\": {Encoding.UTF8.GetString(frame, 1, frame.Length - 1)}");
        }
        return text.ToString();
    }

    public async Task<JsonObject> StatusAsync()
    {
        while (true)
        {
            var frame = await ReceiveAsync() ?? throw new InvalidOperationException("closed without a status");
            if (frame.Length > 0 && frame[0] == 3) return JsonNode.Parse(Encoding.UTF8.GetString(frame, 1, frame.Length - 1))!.AsObject();
        }
    }

    public async Task<bool> ClosedByServerAsync()
    {
        while (await ReceiveAsync() is not null) { }
        return Socket.State == WebSocketState.CloseReceived;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, _timeout.Token);
        }
        catch (WebSocketException) { }
        Socket.Dispose();
        _timeout.Dispose();
    }
}
