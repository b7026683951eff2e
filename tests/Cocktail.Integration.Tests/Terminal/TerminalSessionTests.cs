using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.KubeSim;
using Cocktail.Testing;
using k8s;
using k8s.Models;

namespace Cocktail.Integration.Tests.Terminal;

/// <summary>
/// The web terminal's WebSocket end to end: who may open one, what it relays to the pod's exec subresource (KubeSim
/// speaks the real protocol), and what is recorded (events through the session list, the asciicast).
/// </summary>
[Collection(TenancyCollection.Name)]
public sealed class TerminalSessionTests(TenancyApp app)
{
    private async Task<(Tenancy.Tenancy Team, string Namespace)> TeamWithPodAsync()
    {
        var team = await Tenancy.Tenancy.CreateAsync(app);
        var ns = $"sh-{Guid.NewGuid():N}"[..10];
        var map = await team.CreateServiceMapAsync(team.Admin, ns);
        await team.WaitForStatusAsync((string)map["id"]!, "Ready");
        await RunningPodAsync(team.Sim, ns);
        return (team, ns);
    }

    private static async Task RunningPodAsync(KubeSimCluster sim, string ns)
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(new MemoryStream(Encoding.UTF8.GetBytes(sim.AdminKubeconfigYaml))));
        await client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "box" },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container
                {
                    Name = "app", Image = "registry.example.com/box:1",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("32Mi") },
                        Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("64Mi") },
                    },
                }],
            },
        }, ns);
        await Eventually.TrueAsync(async () => (await client.CoreV1.ReadNamespacedPodAsync("box", ns)).Status?.Phase == "Running",
            because: "the pod to run");
    }

    private async Task<TerminalClient> OpenAsync(string? token, string clusterId, string ns, string pod = "box", string container = "app",
        string? origin = null, params string[] command)
    {
        var socket = new ClientWebSocket();
        if (token is not null) socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        socket.Options.CollectHttpResponseDetails = true;
        var query = $"clusterId={clusterId}&namespace={ns}&pod={pod}&container={container}&cols=100&rows=30&"
                    + string.Join("&", (command.Length == 0 ? ["/bin/sh"] : command).Select(c => "command=" + Uri.EscapeDataString(c)));
        var uri = new Uri($"ws://{app.BaseAddress.Authority}/terminal/ws?{query}");
        await socket.ConnectAsync(uri, CancellationToken.None);
        return new TerminalClient(socket);
    }

    [Fact]
    public async Task a_developer_types_in_a_pods_shell_and_the_session_is_recorded_with_its_exit_code_and_asciicast()
    {
        var (team, ns) = await TeamWithPodAsync();
        await using var _ = team;
        var token = await app.IssueTokenAsync(team.Developer.UserName, team.Developer.Password);
        await using var terminal = await OpenAsync(token, team.ClusterId, ns);
        var connected = await terminal.UntilAsync("connected");
        Assert.Equal("v5.channel.k8s.io", (string?)connected["protocol"]);
        await terminal.OutputUntilAsync("/ # ");
        await terminal.SendAsync(new JsonObject { ["type"] = "stdin", ["data"] = "echo hello-from-terminal\r" });
        Assert.Contains("hello-from-terminal\r\n", await terminal.OutputUntilAsync("hello-from-terminal\r\n/ # "));
        await terminal.SendAsync(new JsonObject { ["type"] = "resize", ["cols"] = 132, ["rows"] = 43 });
        await terminal.SendAsync(new JsonObject { ["type"] = "stdin", ["data"] = "stty size\r" });
        await terminal.OutputUntilAsync("43 132");
        await terminal.SendAsync(new JsonObject { ["type"] = "stdin", ["data"] = "exit 4\r" });
        var exit = await terminal.UntilAsync("exit");
        Assert.Equal(4, (int?)exit["code"]);
        Assert.Equal("The command exited with code 4.", (string?)exit["reason"]);
        var sessionId = (string)exit["sessionId"]!;

        var sessions = await team.Developer.Client.GetFromJsonAsync<JsonNode>("/api/v1/terminal-sessions");
        var session = sessions!["items"]!.AsArray().Single(s => (string?)s!["id"] == sessionId)!;
        Assert.Equal(team.Developer.UserName, (string?)session["userName"]);
        Assert.Equal(ns, (string?)session["namespace"]);
        Assert.Equal("box", (string?)session["pod"]);
        Assert.Equal("app", (string?)session["container"]);
        Assert.Equal("/bin/sh", (string?)session["command"]![0]);
        Assert.Equal("v5.channel.k8s.io", (string?)session["protocol"]);
        Assert.Equal(4, (int?)session["exitCode"]);
        Assert.True((long)session["outputBytes"]! > 0);
        Assert.True((long)session["inputBytes"]! > 0);

        var cast = await team.Developer.Client.GetAsync($"/api/v1/terminal-sessions/{sessionId}/recording");
        Assert.Equal("application/x-asciicast", cast.Content.Headers.ContentType?.MediaType);
        var lines = (await cast.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = JsonNode.Parse(lines[0])!;
        Assert.Equal(2, (int)header["version"]!);
        Assert.Equal(100, (int)header["width"]!);
        Assert.Equal(30, (int)header["height"]!);
        var events = lines.Skip(1).Select(l => JsonNode.Parse(l)!.AsArray()).ToList();
        Assert.Contains(events, e => (string?)e[1] == "o" && ((string?)e[2])!.Contains("hello-from-terminal"));
        Assert.Contains(events, e => (string?)e[1] == "i" && (string?)e[2] == "echo hello-from-terminal\r");
        Assert.Contains(events, e => (string?)e[1] == "r" && (string?)e[2] == "132x43");
        Assert.All(events, e => Assert.True((double)e[0]! >= 0));

        // Others do not see it; the auditor does.
        var viewerList = await team.Viewer.Client.GetFromJsonAsync<JsonNode>("/api/v1/terminal-sessions");
        Assert.DoesNotContain(viewerList!["items"]!.AsArray(), s => (string?)s!["id"] == sessionId);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await team.Viewer.Client.GetAsync($"/api/v1/terminal-sessions/{sessionId}/recording")).StatusCode);
        var auditor = await app.CreateUserAsync("Auditor");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await auditor.Client.GetAsync($"/api/v1/terminal-sessions/{sessionId}/recording")).StatusCode);
    }

    [Fact]
    public async Task viewers_auditors_and_strangers_are_refused_in_the_terminal_and_nothing_reaches_the_cluster()
    {
        var (team, ns) = await TeamWithPodAsync();
        await using var _ = team;
        var auditor = await app.CreateUserAsync("Auditor");
        var stranger = await app.CreateUserAsync();
        var refusals = new Dictionary<string, string>
        {
            [await app.IssueTokenAsync(team.Viewer.UserName, team.Viewer.Password)] = "does not open terminals: Developers and WorkspaceAdmins do.",
            [await app.IssueTokenAsync(auditor.UserName, auditor.Password)] = "Auditors read; they change nothing.",
            [await app.IssueTokenAsync(stranger.UserName, stranger.Password)] = "A terminal opens only in the namespaces of your workspaces' service maps",
        };
        var execsBefore = ExecRequests(team.Sim);
        foreach (var (token, message) in refusals)
        {
            await using var terminal = await OpenAsync(token, team.ClusterId, ns);
            var error = await terminal.UntilAsync("error");
            Assert.Contains(message, (string?)error["message"]);
        }
        Assert.Equal(execsBefore, ExecRequests(team.Sim));
        var all = await team.Admin.GetFromJsonAsync<JsonNode>("/api/v1/terminal-sessions?pageSize=200");
        Assert.DoesNotContain(all!["items"]!.AsArray(), s => (string?)s!["namespace"] == ns);

        // A workspace admin may.
        var wsAdminToken = await app.IssueTokenAsync(team.WorkspaceAdmin.UserName, team.WorkspaceAdmin.Password);
        await using var allowed = await OpenAsync(wsAdminToken, team.ClusterId, ns);
        await allowed.UntilAsync("connected");
    }

    private static int ExecRequests(KubeSimCluster sim) => sim.ExecRequests;

    [Fact]
    public async Task bad_input_is_named_by_field_and_a_page_of_another_site_cannot_open_the_socket()
    {
        var (team, ns) = await TeamWithPodAsync();
        await using var _ = team;
        var token = await app.IssueTokenAsync(team.Developer.UserName, team.Developer.Password);
        await using (var terminal = await OpenAsync(token, team.ClusterId, ns, pod: "Not_A_Pod"))
        {
            var error = await terminal.UntilAsync("error");
            Assert.NotNull(error["fields"]?["pod"]);
        }
        var hijack = await Assert.ThrowsAsync<WebSocketException>(() => OpenAsync(token, team.ClusterId, ns, origin: "https://evil.example"));
        Assert.Contains("403", hijack.Message);
        await using var own = await OpenAsync(token, team.ClusterId, ns, origin: $"http://{app.BaseAddress.Authority}");
        await own.UntilAsync("connected");
    }

    [Fact]
    public async Task a_message_over_64_KiB_ends_the_session_and_the_end_is_recorded()
    {
        var (team, ns) = await TeamWithPodAsync();
        await using var _ = team;
        var token = await app.IssueTokenAsync(team.Developer.UserName, team.Developer.Password);
        await using var terminal = await OpenAsync(token, team.ClusterId, ns);
        var sessionId = (string)(await terminal.UntilAsync("connected"))["sessionId"]!;
        await terminal.SendAsync(new JsonObject { ["type"] = "stdin", ["data"] = new string('x', 70 * 1024) });
        var exit = await terminal.UntilAsync("exit");
        Assert.Contains("64 KiB", (string?)exit["reason"]);
        var session = await team.Developer.Client.GetFromJsonAsync<JsonNode>($"/api/v1/terminal-sessions/{sessionId}");
        Assert.Contains("64 KiB", (string?)session!["endReason"]);
        Assert.Null((int?)session["exitCode"]);
    }

    [Fact]
    public async Task an_apiserver_without_v5_is_spoken_to_in_v4_and_a_platform_admin_may_open_any_namespace()
    {
        var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"v4-{Guid.NewGuid():N}"[..10], Nodes = 1, ExecV5 = false });
        await using var team = await Tenancy.Tenancy.CreateAsync(app, sim: sim);
        await RunningPodAsync(sim, "default");
        var token = await app.IssueTokenAsync(CocktailApp.AdminUserName, CocktailApp.AdminPassword);
        await using var terminal = await OpenAsync(token, team.ClusterId, "default");
        Assert.Equal("v4.channel.k8s.io", (string?)(await terminal.UntilAsync("connected"))["protocol"]);
        await terminal.SendAsync(new JsonObject { ["type"] = "stdin", ["data"] = "hostname\r" });
        await terminal.OutputUntilAsync("box\r\n");
        await terminal.SendAsync(new JsonObject { ["type"] = "stdin", ["data"] = "exit\r" });
        Assert.Equal(0, (int?)(await terminal.UntilAsync("exit"))["code"]);
    }

    [Fact]
    public async Task closing_the_browser_ends_the_session_and_a_missing_pod_is_recorded_as_refused()
    {
        var (team, ns) = await TeamWithPodAsync();
        await using var _ = team;
        var token = await app.IssueTokenAsync(team.Developer.UserName, team.Developer.Password);
        string sessionId;
        await using (var terminal = await OpenAsync(token, team.ClusterId, ns))
        {
            sessionId = (string)(await terminal.UntilAsync("connected"))["sessionId"]!;
            await terminal.OutputUntilAsync("/ # ");
        }
        var ended = await Eventually.GetAsync(() => team.Developer.Client.GetFromJsonAsync<JsonNode>($"/api/v1/terminal-sessions/{sessionId}"),
            s => s?["endedAt"] is not null, because: "the session to end");
        Assert.Equal("The browser closed the terminal.", (string?)ended!["endReason"]);

        await using var ghost = await OpenAsync(token, team.ClusterId, ns, pod: "ghost");
        var exit = await ghost.UntilAsync("exit");
        Assert.Contains("404", (string?)exit["reason"]);
    }
}

/// <summary>The browser's side of the terminal socket: JSON messages in and out.</summary>
internal sealed class TerminalClient(ClientWebSocket socket) : IAsyncDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));
    private readonly StringBuilder _output = new();

    public Task SendAsync(JsonObject message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _timeout.Token);

    private async Task<JsonObject?> ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, _timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage) break;
        }
        var node = JsonNode.Parse(message.ToArray())!.AsObject();
        if ((string?)node["type"] == "stdout") _output.Append((string?)node["data"]);
        return node;
    }

    /// <summary>Reads until a message of this type arrives.</summary>
    public async Task<JsonObject> UntilAsync(string type)
    {
        var seen = new List<string>();
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new InvalidOperationException($"closed before '{type}'; saw {string.Join(", ", seen)}");
            if ((string?)message["type"] == type) return message;
            seen.Add(message.ToJsonString());
        }
    }

    /// <summary>Reads until the terminal's output contains <paramref name="expected"/>; answers the output so far.</summary>
    public async Task<string> OutputUntilAsync(string expected)
    {
        while (!_output.ToString().Contains(expected, StringComparison.Ordinal))
        {
            var message = await ReceiveAsync() ?? throw new InvalidOperationException($"closed before \"{expected}\"; output: {_output}");
            if ((string?)message["type"] is "exit" or "error") throw new InvalidOperationException($"{message.ToJsonString()} before \"{expected}\"; output: {_output}");
        }
        return _output.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, _timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        socket.Dispose();
        _timeout.Dispose();
    }
}
