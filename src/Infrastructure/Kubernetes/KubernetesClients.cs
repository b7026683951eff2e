using Cocktail.Application.Clusters.Connecting;
using k8s;
using k8s.KubeConfigModels;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>
/// Builds KubernetesClient clients from a connection. The connection goes through KubernetesClient's own kubeconfig
/// model, so a CA, a token or a client certificate is handled exactly as `kubectl` handles it.
/// </summary>
public static class KubernetesClients
{
    public static IKubernetes Create(ClusterConnection connection, TimeSpan requestTimeout) =>
        new k8s.Kubernetes(Configuration(connection, requestTimeout));

    public static KubernetesClientConfiguration Configuration(ClusterConnection connection, TimeSpan requestTimeout)
    {
        var config = new K8SConfiguration
        {
            CurrentContext = "cocktail",
            Clusters =
            [
                new Cluster
                {
                    Name = "cluster",
                    ClusterEndpoint = new ClusterEndpoint
                    {
                        Server = connection.Server,
                        CertificateAuthorityData = connection.CertificateAuthorityData,
                        SkipTlsVerify = connection.InsecureSkipTlsVerify,
                        TlsServerName = connection.TlsServerName,
                    },
                },
            ],
            Users =
            [
                new User
                {
                    Name = "user",
                    UserCredentials = new UserCredentials
                    {
                        Token = connection.Token,
                        ClientCertificateData = connection.ClientCertificateData,
                        ClientKeyData = connection.ClientKeyData,
                    },
                },
            ],
            Contexts = [new Context { Name = "cocktail", ContextDetails = new ContextDetails { Cluster = "cluster", User = "user" } }],
        };
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(config);
        configuration.HttpClientTimeout = requestTimeout;
        configuration.UserAgent = "cocktail";
        // Every connection to a cluster, from every client, goes through the refused-address check.
        configuration.FirstMessageHandlerSetup = handler => handler.ConnectCallback = ClusterAddressGuard.Current.ConnectAsync;
        return configuration;
    }
}
