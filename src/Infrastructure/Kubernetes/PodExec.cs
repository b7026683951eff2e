using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.TerminalSessions.Opening;
using k8s;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// The pod's exec subresource over WebSocket, with the cluster's registered credentials read exactly as
/// <see cref="ClusterClientFactory"/> reads them (KubernetesClient's kubeconfig model: CA, token or client certificate,
/// TLS server name, the refused-address check on every connection). Not behind the retry pipeline: an interactive
/// session is not repeated, and a refusal is shown to the person at once. Offers v5.channel.k8s.io first and
/// v4.channel.k8s.io second, as kubectl does, so an apiserver older than 1.30 answers v4.
/// </summary>
public sealed class PodExec : IPodExec
{
    public const string V5 = "v5.channel.k8s.io";
    public const string V4 = "v4.channel.k8s.io";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    public async Task<PodExecConnection> OpenAsync(ClusterConnection cluster, string ns, string pod, string container, IReadOnlyList<string> command,
        CancellationToken ct)
    {
        var config = ClusterClientFactory.Configuration(cluster, ConnectTimeout);
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(V5);
        socket.Options.AddSubProtocol(V4);
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(30);
        if (!string.IsNullOrEmpty(config.AccessToken)) socket.Options.SetRequestHeader("Authorization", "Bearer " + config.AccessToken);
        socket.Options.SetRequestHeader("User-Agent", "cocktail");
        var query = string.Join("&", command.Select(c => "command=" + Uri.EscapeDataString(c)))
                    + $"&container={Uri.EscapeDataString(container)}&stdin=true&stdout=true&stderr=false&tty=true";
        var server = config.Host.TrimEnd('/');
        var uri = new Uri((server.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "wss://" + server[8..] : "ws://" + server[7..])
                          + $"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/pods/{Uri.EscapeDataString(pod)}/exec?{query}");
        using var invoker = new HttpMessageInvoker(Handler(config), disposeHandler: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ConnectTimeout);
        try
        {
            await socket.ConnectAsync(uri, invoker, timeout.Token);
            return new PodExecConnection(socket, socket.SubProtocol, null);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException or IOException)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            return PodExecConnection.Refused(status switch
            {
                HttpStatusCode.NotFound => $"the pod '{pod}' is not in namespace '{ns}' (404).",
                HttpStatusCode.BadRequest => $"the container '{container}' cannot run '{string.Join(' ', command)}' now (400).",
                HttpStatusCode.Forbidden => "Cocktail's credentials may not exec into this pod, or the cluster speaks neither v5 nor v4 of the exec protocol (403).",
                HttpStatusCode.Unauthorized => "the cluster no longer accepts Cocktail's credentials (401).",
                0 => $"it did not answer ({e.Message}).",
                _ => $"it answered {(int)status}.",
            });
        }
    }

    private static SocketsHttpHandler Handler(KubernetesClientConfiguration config)
    {
        var ssl = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                config.SkipTlsVerify
                || (config.SslCaCerts is { Count: > 0 } ca
                    ? k8s.Kubernetes.CertificateValidationCallBack(sender, ca, certificate!, chain!, errors)
                    : errors == SslPolicyErrors.None),
        };
        if (!string.IsNullOrEmpty(config.TlsServerName)) ssl.TargetHost = config.TlsServerName;
        if (!string.IsNullOrEmpty(config.ClientCertificateData)) ssl.ClientCertificates =
            [
                X509Certificate2.CreateFromPem(System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(config.ClientCertificateData)),
                    System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(config.ClientCertificateKeyData ?? ""))),
            ];
        return new SocketsHttpHandler
        {
            SslOptions = ssl,
            ConnectCallback = ClusterAddressGuard.Current.ConnectAsync,
            ConnectTimeout = ConnectTimeout,
        };
    }
}
