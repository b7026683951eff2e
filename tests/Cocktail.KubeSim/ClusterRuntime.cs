using Cocktail.KubeSim.Admission;
using Cocktail.KubeSim.Audit;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Certificates;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Faults;
using Cocktail.KubeSim.Rbac;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;
using Cocktail.KubeSim.Watch;

namespace Cocktail.KubeSim;

/// <summary>Everything one simulated cluster is made of, wired together once; the HTTP layer and controllers share it.</summary>
internal sealed class ClusterRuntime
{
    public required KubeSimOptions Options { get; init; }
    public required TimeProvider Time { get; init; }
    public required ObjectStore Store { get; init; }
    public required ResourceCatalog Catalog { get; init; }
    public required ObjectRegistry Registry { get; init; }
    public required ClusterCertificateAuthority Ca { get; init; }
    public required TokenIssuer Tokens { get; init; }
    public required Authenticator Authenticator { get; init; }
    public required RbacAuthorizer Authorizer { get; init; }
    public required FaultInjector Faults { get; init; }
    public required ClusterAudit Audit { get; init; }
    public required WatchStream Watches { get; init; }
    public required Logs.PodLogs Logs { get; init; }
    public Otlp.ClusterLogShipping? LogShipping { get; set; }
    public AdmissionChain Admission { get; set; } = new([], []);
    public string ServerAddress { get; set; } = "";
    public Proxy.ServiceRoutes ServiceRoutes { get; } = new();
    public CancellationToken Stopping { get; init; }

    /// <summary>The gitVersion /version reports; a simulated Cluster API control plane upgrade changes it.</summary>
    public string KubernetesVersion { get; set; } = Discovery.DiscoveryDocuments.GitVersion;

    /// <summary>The workload clusters the simulated Cluster API controllers started for this (management) cluster.</summary>
    public Controllers.ClusterApi.WorkloadClusters WorkloadClusters { get; } = new();

    /// <summary>Exec requests that reached the pods/exec endpoint (authenticated and past the first check), for tests.</summary>
    public int ExecRequests;

    public ResourceType Type(string group, string resource) =>
        Catalog.FindPreferred(group, resource) ?? throw new InvalidOperationException($"no resource {resource}.{group}");
}
