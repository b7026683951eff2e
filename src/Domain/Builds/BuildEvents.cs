using Cocktail.Domain.Common;

namespace Cocktail.Domain.Builds;

public enum BuildTool { Kaniko, BuildKit }

/// <summary>
/// What a build definition builds: a git source (http(s) or ssh URL and a ref), the Dockerfile inside the context,
/// build args, and where the image goes (a repository of the workspace and a tag template).
/// </summary>
public sealed record BuildSource(
    string GitUrl, string Ref, string Context, string Dockerfile, IReadOnlyDictionary<string, string> BuildArgs, string Repository,
    string TagTemplate, BuildTool Tool = BuildTool.Kaniko);

public sealed record BuildDefinitionCreated(
    Guid DefinitionId, Guid WorkspaceId, string WorkspaceName, string Name, BuildSource Source, bool HasGitCredentials,
    ActorRef CreatedBy, DateTimeOffset CreatedAt);

public sealed record BuildDefinitionChanged(
    Guid DefinitionId, string Name, BuildSource Source, bool HasGitCredentials, ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record BuildDefinitionDeleted(Guid DefinitionId, string Name, ActorRef DeletedBy, DateTimeOffset DeletedAt);

/// <summary>A run asked for; it waits for a slot under the workspace's concurrency limit.</summary>
public sealed record BuildQueued(
    Guid BuildId, Guid DefinitionId, string DefinitionName, Guid WorkspaceId, string WorkspaceName, int Number, BuildSource Source,
    string Image, string Tag, string? Commit, Guid? RerunOf, ActorRef QueuedBy, DateTimeOffset QueuedAt);

/// <summary>The build's Job exists on the build cluster, pushing with a robot that is revoked when the build ends.</summary>
public sealed record BuildStarted(
    Guid BuildId, string DefinitionName, int Number, Guid ClusterId, string ClusterName, string Namespace, string JobName, Guid RobotId,
    DateTimeOffset StartedAt);

public sealed record BuildSucceeded(Guid BuildId, string DefinitionName, int Number, string Image, string Digest, TimeSpan Duration, DateTimeOffset SucceededAt);

public sealed record BuildFailed(Guid BuildId, string DefinitionName, int Number, string Reason, DateTimeOffset FailedAt);

public sealed record BuildCancelled(Guid BuildId, string DefinitionName, int Number, string? Reason, ActorRef CancelledBy, DateTimeOffset CancelledAt);

/// <summary>Where builds run (one registered cluster, a namespace Cocktail manages), their limits and the per-workspace concurrency.</summary>
public sealed record BuildSettingsChanged(
    Guid ClusterId, string ClusterName, string Namespace, string CpuLimit, string MemoryLimit, int ConcurrencyPerWorkspace, int TimeoutMinutes,
    ActorRef ChangedBy, DateTimeOffset ChangedAt);
