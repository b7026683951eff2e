using System.Text;
using System.Text.Json;
using Cocktail.Application.Common;
using Cocktail.Domain.Registries;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.PullSecrets;

/// <summary>An external registry as anyone who may read it sees it: kind, server and user name, never the secret.</summary>
public sealed class ExternalRegistryView
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string WorkspaceName { get; set; } = "";
    public string Name { get; set; } = "";
    public ExternalRegistryKind Kind { get; set; }
    public string Server { get; set; } = "";
    public string UserName { get; set; } = "";
    /// <summary>The Secret every service map namespace of the workspace gets for it.</summary>
    public string SecretName { get; set; } = "";
    public bool Removed { get; set; }
    public DateTimeOffset AddedAt { get; set; }
    public string AddedBy { get; set; } = "";
    public DateTimeOffset? ChangedAt { get; set; }
    public long Version { get; set; }

    public static ExternalRegistryView Create(ExternalRegistryAdded e) => new()
    {
        Id = e.RegistryId, WorkspaceId = e.WorkspaceId, WorkspaceName = e.WorkspaceName, Name = e.Name, Kind = e.Kind, Server = e.Server,
        UserName = e.UserName, SecretName = PullSecretNames.External(e.Name), AddedAt = e.AddedAt, AddedBy = e.AddedBy.Name,
    };

    public void Apply(ExternalRegistryChanged e) => (Server, UserName, ChangedAt) = (e.Server, e.UserName, e.ChangedAt);

    public void Apply(ExternalRegistryRemoved e) => (Removed, ChangedAt) = (true, e.RemovedAt);
}

/// <summary>The names of the Secrets Cocktail writes into service map namespaces.</summary>
public static class PullSecretNames
{
    /// <summary>The workspace registry's pull secret.</summary>
    public const string Workspace = "cocktail-registry";

    public const string ExternalPrefix = "cocktail-pull-";

    /// <summary>The label that marks a Secret as one of Cocktail's pull secrets (the reconciler deletes those no longer wanted).</summary>
    public const string Label = "cocktail.io/pull-secret";

    public static string External(string registryName) => ExternalPrefix + registryName;

    public static bool IsCocktails(string name) => name == Workspace || name.StartsWith(ExternalPrefix, StringComparison.Ordinal);
}

/// <summary>An external registry's secret (password, token, secret access key or JSON key), in the clear only in memory.</summary>
public sealed record ExternalRegistryCredentials([property: Secret] string Secret)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>
/// The secret, encrypted with ASP.NET Data Protection (keys kept in PostgreSQL) as cluster credentials and channel
/// secrets are: a document beside the registry's stream, never in an event, never answered by the API.
/// </summary>
public sealed class ExternalRegistrySecret
{
    public const string Purpose = "Cocktail.ExternalRegistries.v1";

    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string Protected { get; set; } = "";

    public static ExternalRegistrySecret Of(Guid registryId, Guid workspaceId, ExternalRegistryCredentials credentials, IDataProtectionProvider protection) => new()
    {
        Id = registryId, WorkspaceId = workspaceId,
        Protected = protection.CreateProtector(Purpose).Protect(JsonSerializer.Serialize(credentials)),
    };

    public ExternalRegistryCredentials Read(IDataProtectionProvider protection) =>
        JsonSerializer.Deserialize<ExternalRegistryCredentials>(protection.CreateProtector(Purpose).Unprotect(Protected))!;
}
