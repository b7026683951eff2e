using Cocktail.Application.Common;
using System.Text;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Access;

namespace Cocktail.Application.AccessGrants;

/// <summary>What a grant is on its cluster: a ServiceAccount in cocktail-access and a (Cluster)RoleBinding to it.</summary>
public sealed record GrantManifest(Guid GrantId, string ServiceAccount, AccessScope Scope, string? Namespace, AccessRole Role, string UserName);

public sealed record IssuedToken([property: Secret] string Token, DateTimeOffset ExpiresAt)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>Sets grants up on clusters, takes them down, and asks for tokens (TokenRequest); KubernetesClient in Infrastructure.</summary>
public interface IAccessGrantApplier
{
    Task<ApplyOutcome> EnsureAsync(ClusterConnection cluster, GrantManifest grant, CancellationToken ct);

    Task<ApplyOutcome> RemoveAsync(ClusterConnection cluster, GrantManifest grant, CancellationToken ct);

    Task<(IssuedToken? Token, ApplyOutcome Outcome)> RequestTokenAsync(ClusterConnection cluster, GrantManifest grant, TimeSpan lifetime, CancellationToken ct);
}

/// <summary>Writes a kubeconfig that kubectl (and a kube-apiserver's webhook client) uses as it is.</summary>
public interface IKubeconfigWriter
{
    /// <param name="token">The user's bearer token; null for a user with no credentials (the audit webhook over http carries its secret in the URL).</param>
    string Write(string clusterName, ClusterConnection cluster, string userName, string? token, string? defaultNamespace);
}

public static class GrantManifests
{
    public static GrantManifest For(AccessGrantView grant) =>
        new(grant.Id, grant.ServiceAccount, grant.Scope, grant.Namespace, grant.Role, grant.UserName);
}
