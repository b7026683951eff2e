using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Cocktail.KubeSim.Benchmarks;

/// <summary>
/// A lean HTTPS client for one simulated cluster (bearer token, the cluster's CA pinned), so the benchmark times the
/// server rather than a client library's deserialization of every pod.
/// </summary>
public sealed class ApiConnection : IDisposable
{
    readonly X509Certificate2 _ca;
    public HttpClient Http { get; }

    public ApiConnection(KubeSimCluster cluster)
    {
        _ca = X509Certificate2.CreateFromPem(cluster.CaCertificatePem);
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, EnableMultipleHttp2Connections = true };
        handler.SslOptions.RemoteCertificateValidationCallback = Validate;
        Http = new HttpClient(handler) { BaseAddress = new Uri(cluster.Server), Timeout = Timeout.InfiniteTimeSpan };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminToken);
        Http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_ca);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    public void Dispose()
    {
        Http.Dispose();
        _ca.Dispose();
    }
}
