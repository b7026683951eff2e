using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Audit;

/// <summary>
/// The parts of an audit webhook kubeconfig the apiserver uses to reach the webhook, read with client-go's rules
/// (clientcmd's DirectClientConfig.ClientConfig): the user's credentials and the server's TLS settings are merged
/// only when the transport is TLS (rest.IsConfigTransportTLS), so a plain http server gets no token and no client
/// certificate, whatever the kubeconfig says.
/// </summary>
public sealed record WebhookKubeconfig(Uri Server, string? CaPem, bool InsecureSkipTlsVerify, string? Token, string? ClientCertPem, string? ClientKeyPem)
{
    public static WebhookKubeconfig Parse(string yaml)
    {
        var root = YamlToJson.Parse(yaml) ?? throw new ArgumentException("empty webhook kubeconfig");
        var currentContext = root.Str("current-context");
        var contexts = root["contexts"].Objects().ToList();
        var context = contexts.FirstOrDefault(c => c.Str("name") == currentContext) ?? contexts.FirstOrDefault();
        var clusterName = context?.Str("context", "cluster");
        var userName = context?.Str("context", "user");
        var cluster = root["clusters"].Objects().FirstOrDefault(c => clusterName is null || c.Str("name") == clusterName)?["cluster"]
                      ?? throw new ArgumentException("webhook kubeconfig has no cluster");
        var user = root["users"].Objects().FirstOrDefault(u => userName is null || u.Str("name") == userName)?["user"];
        var server = new Uri(cluster.Str("server") ?? throw new ArgumentException("webhook kubeconfig cluster has no server"));
        if (server.Scheme != Uri.UriSchemeHttps) return new WebhookKubeconfig(server, null, false, null, null, null);
        return new WebhookKubeconfig(
            server,
            Decode(cluster.Str("certificate-authority-data")),
            cluster.Bool("insecure-skip-tls-verify") ?? false,
            user.Str("token"),
            Decode(user.Str("client-certificate-data")),
            Decode(user.Str("client-key-data")));
    }

    static string? Decode(string? base64) => base64 is null ? null : Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    public HttpClient CreateClient()
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        handler.SslOptions.RemoteCertificateValidationCallback = ValidateServer;
        if (ClientCertPem is not null && ClientKeyPem is not null)
        {
            var cert = X509Certificate2.CreateFromPem(ClientCertPem, ClientKeyPem);
            handler.SslOptions.ClientCertificates = [X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null)];
        }
        var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        if (Token is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return client;
    }

    bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (InsecureSkipTlsVerify || errors == SslPolicyErrors.None) return true;
        if (CaPem is null || certificate is null) return false;
        using var ca = X509Certificate2.CreateFromPem(CaPem);
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(ca);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()))
               && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
    }
}
