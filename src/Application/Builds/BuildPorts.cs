using System.Text;
using System.Text.Json;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Common;
using Microsoft.AspNetCore.DataProtection;

namespace Cocktail.Application.Builds;

/// <summary>Git credentials for a definition's source: a user name and a password or token (https), never in an event.</summary>
public sealed record GitCredentials(string UserName, [property: Secret] string Password)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>The credentials, encrypted with ASP.NET Data Protection, a document beside the definition's stream.</summary>
public sealed class BuildGitSecret
{
    public const string Purpose = "Cocktail.BuildDefinitions.Git.v1";

    public Guid Id { get; set; }
    public string Protected { get; set; } = "";

    public static BuildGitSecret Of(Guid definitionId, GitCredentials credentials, IDataProtectionProvider protection) => new()
    {
        Id = definitionId, Protected = protection.CreateProtector(Purpose).Protect(JsonSerializer.Serialize(credentials)),
    };

    public GitCredentials Read(IDataProtectionProvider protection) =>
        JsonSerializer.Deserialize<GitCredentials>(protection.CreateProtector(Purpose).Unprotect(Protected))!;
}

/// <summary>Everything the build cluster needs to run one build as a Job.</summary>
public sealed record BuildJob(
    Guid BuildId, Guid WorkspaceId, string Namespace, string JobName, BuildSource Source, string? Commit, string Image, bool InsecureRegistry,
    [property: Secret] string DockerConfigJson, GitCredentials? Git, string CpuLimit, string MemoryLimit, TimeSpan Timeout)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>The build cluster: Jobs, their push Secrets and their logs.</summary>
public interface IBuildCluster
{
    /// <summary>Creates (or finds, when retried) the namespace, the push Secret and the Job.</summary>
    Task<ClusterOutcome> StartAsync(ClusterConnection cluster, BuildJob job, CancellationToken ct);

    /// <summary>How the Job stands: running, succeeded with the digest from the builder's termination message, failed with why.</summary>
    Task<BuildJobObservation?> ObserveAsync(ClusterConnection cluster, string ns, string jobName, CancellationToken ct);

    /// <summary>Removes the push Secret; with <paramref name="deleteJob"/> the Job and its pods too (cancel).</summary>
    Task<ClusterOutcome> CleanUpAsync(ClusterConnection cluster, string ns, string jobName, bool deleteJob, CancellationToken ct);

    /// <summary>The builder container's log (followed while it runs).</summary>
    Task<(Stream? Log, string? Problem)> OpenLogAsync(ClusterConnection cluster, string ns, string jobName, bool follow, CancellationToken ct);
}

/// <summary>Names shared by the Job, its Secret and its labels.</summary>
public static class BuildNames
{
    public const string BuildLabel = "cocktail.io/build";
    public const string WorkspaceLabel = "cocktail.io/workspace";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";

    public static string Job(string definitionName, int number, Guid buildId)
    {
        var prefix = definitionName.Length > 40 ? definitionName[..40].TrimEnd('-') : definitionName;
        return $"build-{prefix}-{number}-{buildId.ToString("N")[^6..]}";
    }

    public static string Secret(string jobName) => jobName + "-push";
}
