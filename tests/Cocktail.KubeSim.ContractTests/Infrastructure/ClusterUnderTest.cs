using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>
/// The cluster the contract runs against: a KubeSim cluster by default, or the real cluster named by the
/// kubeconfig in COCKTAIL_CONTRACT_KUBECONFIG. Tests only use what a client sees; the <see cref="Simulator"/> is
/// there for the simulator-only tests (fault injection, audit, timing conventions), which skip on a real cluster.
/// </summary>
public sealed class ClusterUnderTest : IAsyncLifetime
{
    public const string RealClusterVariable = "COCKTAIL_CONTRACT_KUBECONFIG";

    public KubeSimCluster? Simulator { get; private set; }
    public IKubernetes Client { get; private set; } = null!;
    public string KubeconfigPath { get; private set; } = "";
    public bool IsSimulator => Simulator is not null;

    public async Task InitializeAsync()
    {
        var real = Environment.GetEnvironmentVariable(RealClusterVariable);
        if (string.IsNullOrEmpty(real))
        {
            // The API server with CRDs and no Cluster API controllers, like the real clusters this suite also runs against;
            // ClusterApiControllersContract starts its own management cluster with them.
            Simulator = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "contract", Nodes = 3, ClusterApi = false });
            KubeconfigPath = Path.Combine(Path.GetTempPath(), $"kubesim-contract-{Guid.NewGuid():N}.kubeconfig");
            Simulator.WriteKubeconfig(KubeconfigPath);
        }
        else
        {
            KubeconfigPath = real;
        }
        Client = ClientFor(KubeconfigPath);
    }

    public static IKubernetes ClientFor(string kubeconfigPath) =>
        new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath));

    public static IKubernetes ClientForYaml(string kubeconfigYaml)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(kubeconfigYaml));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(stream));
    }

    /// <summary>A fresh namespace for one test, deleted (in the background) when the suite ends.</summary>
    public async Task<string> NewNamespaceAsync(string prefix, IDictionary<string, string>? labels = null)
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..6]}";
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });
        _namespaces.Add(name);
        // A real cluster creates the default ServiceAccount asynchronously; pods need it.
        await Eventually.Until(async () => (await Client.CoreV1.ListNamespacedServiceAccountAsync(name)).Items.Any(s => s.Metadata.Name == "default"));
        return name;
    }

    readonly System.Collections.Concurrent.ConcurrentBag<string> _namespaces = [];

    public async Task DisposeAsync()
    {
        foreach (var ns in _namespaces)
        {
            try { await Client.CoreV1.DeleteNamespaceAsync(ns); }
            catch (k8s.Autorest.HttpOperationException) { }
        }
        Client.Dispose();
        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
            File.Delete(KubeconfigPath);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ContractCollection : ICollectionFixture<ClusterUnderTest>
{
    public const string Name = "contract";
}
