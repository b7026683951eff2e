namespace Cocktail.Application.Clusters.Connecting;

/// <summary>Cocktail's way to ask a cluster something; implemented over KubernetesClient in Infrastructure.</summary>
public interface IClusterGateway
{
    /// <summary>Reads the server version and the node list, as registration requires.</summary>
    Task<(ClusterProbe? Probe, ConnectionFailure? Failure)> ProbeAsync(ClusterConnection connection, CancellationToken ct);
}

/// <summary>Reads a kubeconfig (YAML) into connections; implemented with KubernetesClient's parser.</summary>
public interface IKubeconfigReader
{
    /// <summary>The contexts the kubeconfig names, and the current one.</summary>
    (IReadOnlyList<string> Contexts, string? Current, string? Error) Contexts(string kubeconfig);

    /// <summary>
    /// The connection of <paramref name="context"/>, or of the current context when null. A failure names the field
    /// to correct: "context" when the choice of context is the problem, else "kubeconfig".
    /// </summary>
    (ClusterConnection? Connection, string? Error, string? Field) Read(string kubeconfig, string? context);
}

/// <summary>Encrypts connections at rest (ASP.NET Core Data Protection, keys in PostgreSQL).</summary>
public interface ICredentialVault
{
    string Protect(ClusterConnection connection);
    ClusterConnection Unprotect(string protectedConnection);
}
