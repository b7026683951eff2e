using System.Text.Json;
using Cocktail.Application.Clusters.Connecting;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Infrastructure.Kubernetes;

/// <summary>Cluster credentials at rest: Data Protection with its keys in PostgreSQL, readable by every replica.</summary>
public sealed class DataProtectionCredentialVault(IDataProtectionProvider provider) : ICredentialVault
{
    private readonly IDataProtector _protector = provider.CreateProtector("Cocktail.ClusterCredentials.v1");

    public string Protect(ClusterConnection connection) => _protector.Protect(JsonSerializer.Serialize(connection));

    public ClusterConnection Unprotect(string protectedConnection) =>
        JsonSerializer.Deserialize<ClusterConnection>(_protector.Unprotect(protectedConnection))
        ?? throw new InvalidOperationException("A stored cluster credential is empty.");
}
