using Cocktail.Application.AccessGrants;
using Cocktail.Application.Clusters.Connecting;
using k8s;
using k8s.KubeConfigModels;

namespace Cocktail.Infrastructure.Access;

/// <summary>Writes kubeconfigs with KubernetesClient's own model and YAML serializer, so kubectl reads them as it reads its own.</summary>
public sealed class KubeconfigWriter : IKubeconfigWriter
{
    public string Write(string clusterName, ClusterConnection cluster, string userName, string? token, string? defaultNamespace)
    {
        var config = new K8SConfiguration
        {
            ApiVersion = "v1",
            Kind = "Config",
            CurrentContext = userName,
            Clusters =
            [
                new Cluster
                {
                    Name = clusterName,
                    ClusterEndpoint = new ClusterEndpoint
                    {
                        Server = cluster.Server,
                        CertificateAuthorityData = cluster.CertificateAuthorityData,
                        SkipTlsVerify = cluster.InsecureSkipTlsVerify,
                        TlsServerName = cluster.TlsServerName,
                    },
                },
            ],
            Users = [new User { Name = userName, UserCredentials = new UserCredentials { Token = token } }],
            Contexts = [new Context { Name = userName, ContextDetails = new ContextDetails { Cluster = clusterName, User = userName, Namespace = defaultNamespace } }],
        };
        return KubernetesYaml.Serialize(config);
    }
}
