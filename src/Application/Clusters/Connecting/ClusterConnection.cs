using Cocktail.Application.Common;
using System.Text;
using Cocktail.Domain.Clusters;

namespace Cocktail.Application.Clusters.Connecting;

/// <summary>
/// How to reach one cluster's API server. Held only in memory and, encrypted, in the credential vault; never in
/// events, read models or API answers.
/// </summary>
public sealed record ClusterConnection(
    string Server,
    string? CertificateAuthorityData,
    [property: Secret] string? Token,
    string? ClientCertificateData = null,
    [property: Secret] string? ClientKeyData = null,
    bool InsecureSkipTlsVerify = false,
    string? TlsServerName = null)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);

    public CredentialKind Kind => ClientCertificateData is not null ? CredentialKind.ClientCertificate : CredentialKind.BearerToken;
}

/// <summary>What a successful probe read from the cluster.</summary>
public sealed record ClusterProbe(string KubernetesVersion, int NodeCount);

public enum ConnectionProblem { Unreachable, TlsMismatch, Unauthorized, Forbidden, Invalid }

/// <summary>Why Cocktail could not use a cluster, in words an admin can act on.</summary>
public sealed record ConnectionFailure(ConnectionProblem Problem, string Message);
