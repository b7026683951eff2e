namespace Cocktail.Domain.Clusters;

public enum ClusterProvider { EKS, AKS, GKE, NKS, OpenStack, VMware, BareMetal, Other }

public enum ClusterHealth
{
    /// <summary>The API answers and every watch is open.</summary>
    Connected,
    /// <summary>The API answers, but slowly or with some watches failing.</summary>
    Degraded,
    /// <summary>The API does not answer; never shown as healthy.</summary>
    Unreachable,
}

public enum CredentialKind { BearerToken, ClientCertificate }
