using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Rbac;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cocktail.KubeSim.Exec;

/// <summary>
/// <c>GET .../pods/{name}/exec?command=..&amp;container=..&amp;stdin=&amp;stdout=&amp;stderr=&amp;tty=</c> upgraded to a
/// WebSocket, as kube-apiserver serves it since the move from SPDY (KEP-4006): the <c>v5.channel.k8s.io</c> stream
/// translator, or <c>v4.channel.k8s.io</c> as the kubelet speaks it. Frames carry their channel in the first byte: 0
/// stdin, 1 stdout, 2 stderr, 3 the final <c>metav1.Status</c>, 4 resize (<c>{"Width","Height"}</c>), and in v5 255
/// closes a channel (<c>[255, 0]</c> ends stdin). The container runs <see cref="SimulatedShell"/>.
/// <para>
/// The older protocols (<c>channel.k8s.io</c>, <c>base64.channel.k8s.io</c>, v2, v3) that a real kubelet still accepts
/// are not spoken: a client offering none of v5/v4 is refused as a failed WebSocket handshake is (403).
/// </para>
/// </summary>
internal sealed class ExecEndpoint(ClusterRuntime cluster)
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";
    const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public async Task Serve(Exchange exchange, ResourceType type)
    {
        Interlocked.Increment(ref cluster.ExecRequests);
        var http = exchange.Http;
        var info = exchange.Info!;
        // KEP-4006 (AuthorizePodWebsocketUpgradeCreatePermission, on by default since 1.35): a WebSocket GET to exec is
        // authorized as "get" like any GET, and then again as "create", the verb an SPDY POST always needed.
        var create = new AuthorizationAttributes(exchange.User!, "create", true, info.Group, info.Resource, info.Subresource, info.Namespace, info.Name);
        if (!cluster.Authorizer.IsAllowed(create))
        {
            exchange.Allowed = false;
            throw ApiException.Forbidden(info.Group, info.Resource, info.Name, create.DenialMessage());
        }
        var pod = cluster.Registry.Get(type, info.Namespace, info.Name);
        var options = ExecOptions.From(http);
        var container = ResolveContainer(pod, options.Container);
        if (options.Command.Count == 0) throw ApiException.BadRequest("you must specify at least one command for the container");
        if (!options.Stdin && !options.Stdout && !options.Stderr)
            throw ApiException.BadRequest("you must specify at least 1 of stdin, stdout, stderr");
        if (!IsWebSocketRequest(http.Request)) throw ApiException.BadRequest("Upgrade request required");
        var phase = pod.Str("status", "phase");
        if (phase is "Succeeded" or "Failed")
            throw ApiException.BadRequest($"cannot exec into a container in a completed pod; current phase is {phase}");
        if (string.IsNullOrEmpty(pod.Str("spec", "nodeName")))
            throw ApiException.BadRequest($"pod {info.Name} does not have a host assigned");
        var running = pod.At("status", "containerStatuses").Objects().FirstOrDefault(s => s.Str("name") == container)?.At("state", "running");
        if (running is null) throw ApiException.BadRequest($"unable to upgrade connection: container not found (\"{container}\")");

        var offered = http.Request.Headers.SecWebSocketProtocol.ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string[] supported = cluster.Options.ExecV5 ? [V5, V4] : [V4];
        var protocol = offered.FirstOrDefault(supported.Contains);
        if (protocol is null)
            throw new ApiException(403, "Forbidden",
                $"requested protocol(s) are not supported: [{string.Join(" ", offered)}]; supports [{string.Join(" ", supported)}]");

        var socket = await AcceptAsync(http, protocol);
        exchange.Code = StatusCodes.Status101SwitchingProtocols;
        using (socket)
        {
            var session = new ExecSession(socket, protocol, options with { Container = container }, pod, cluster.Time);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, cluster.Stopping);
            _ = StopWhenPodGoes(type, info.Namespace, info.Name, session, stop.Token);
            await session.RunAsync(stop.Token);
            await stop.CancelAsync();
        }
    }

    static string ResolveContainer(JsonObject pod, string? container)
    {
        var names = pod.At("spec", "containers").Objects().Select(c => c.Str("name") ?? "").ToList();
        if (string.IsNullOrEmpty(container))
        {
            return names.Count switch
            {
                1 => names[0],
                0 => throw ApiException.BadRequest($"a container name must be specified for pod {pod.Name()}"),
                _ => throw ApiException.BadRequest($"a container name must be specified for pod {pod.Name()}, choose one of: [{string.Join(" ", names)}]"),
            };
        }
        return names.Contains(container) ? container : throw ApiException.BadRequest($"container {container} is not valid for pod {pod.Name()}");
    }

    static bool IsWebSocketRequest(HttpRequest request) =>
        string.Equals(request.Headers.Upgrade.ToString(), "websocket", StringComparison.OrdinalIgnoreCase)
        && request.Headers.Connection.ToString().Split(',').Any(p => p.Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase))
        && request.HttpContext.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true };

    /// <summary>The bare Kestrel host has no WebSocket middleware: the RFC 6455 handshake is done here.</summary>
    static async Task<WebSocket> AcceptAsync(HttpContext http, string protocol)
    {
        var key = http.Request.Headers.SecWebSocketKey.ToString();
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
        http.Response.Headers.Connection = "Upgrade";
        http.Response.Headers.Upgrade = "websocket";
        http.Response.Headers.SecWebSocketAccept = accept;
        http.Response.Headers.SecWebSocketProtocol = protocol;
        var stream = await http.Features.Get<IHttpUpgradeFeature>()!.UpgradeAsync();
        return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = true, SubProtocol = protocol, KeepAliveInterval = TimeSpan.FromSeconds(30),
        });
    }

    /// <summary>A deleted pod's containers stop: the session ends as the kubelet ends it.</summary>
    async Task StopWhenPodGoes(ResourceType type, string ns, string name, ExecSession session, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            try { await Task.Delay(250, cancel); }
            catch (OperationCanceledException) { return; }
            if (cluster.Registry.TryGet(type, ns, name) is null) { session.Kill(); return; }
        }
    }
}

/// <summary>The exec query: what to run and which streams to attach.</summary>
internal sealed record ExecOptions(string? Container, IReadOnlyList<string> Command, bool Stdin, bool Stdout, bool Stderr, bool Tty)
{
    public static ExecOptions From(HttpContext http)
    {
        var query = http.Request.Query;
        var tty = QueryOptions.Flag(http, "tty");
        // As the apiserver does: with a TTY, stderr is merged into stdout and the stderr stream is not opened.
        return new ExecOptions(query["container"].ToString() is { Length: > 0 } c ? c : null,
            query["command"].Where(s => s is not null).Select(s => s!).ToList(),
            QueryOptions.Flag(http, "stdin"), QueryOptions.Flag(http, "stdout"), QueryOptions.Flag(http, "stderr") && !tty, tty);
    }
}
