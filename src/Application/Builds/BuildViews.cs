using Cocktail.Domain.Builds;

namespace Cocktail.Application.Builds;

/// <summary>A build definition as its pages show it (never its git credentials).</summary>
public sealed class BuildDefinitionView
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string WorkspaceName { get; set; } = "";
    public string Name { get; set; } = "";
    public BuildSource Source { get; set; } = default!;
    public bool HasGitCredentials { get; set; }
    public int LastNumber { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";

    public static BuildDefinitionView Create(BuildDefinitionCreated e) => new()
    {
        Id = e.DefinitionId, WorkspaceId = e.WorkspaceId, WorkspaceName = e.WorkspaceName, Name = e.Name, Source = e.Source,
        HasGitCredentials = e.HasGitCredentials, CreatedAt = e.CreatedAt, CreatedBy = e.CreatedBy.Name,
    };

    public void Apply(BuildDefinitionChanged e)
    {
        Source = e.Source;
        HasGitCredentials = e.HasGitCredentials;
    }

    public bool ShouldDelete(BuildDefinitionDeleted _) => true;
}

/// <summary>A build run: status, image, digest, duration, where its Job runs.</summary>
public sealed class BuildView
{
    public Guid Id { get; set; }
    public Guid DefinitionId { get; set; }
    public string DefinitionName { get; set; } = "";
    public Guid WorkspaceId { get; set; }
    public string WorkspaceName { get; set; } = "";
    public int Number { get; set; }
    public string Image { get; set; } = "";
    public string Tag { get; set; } = "";
    public string? Commit { get; set; }
    public string GitUrl { get; set; } = "";
    public string Ref { get; set; } = "";
    public BuildStatus Status { get; set; }
    public string? Digest { get; set; }
    public string? Reason { get; set; }
    public double? DurationSeconds { get; set; }
    public Guid? RerunOf { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public string QueuedBy { get; set; } = "";
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public Guid? ClusterId { get; set; }
    public string? ClusterName { get; set; }
    public string? Namespace { get; set; }
    public string? JobName { get; set; }

    public static BuildView Create(BuildQueued e) => new()
    {
        Id = e.BuildId, DefinitionId = e.DefinitionId, DefinitionName = e.DefinitionName, WorkspaceId = e.WorkspaceId, WorkspaceName = e.WorkspaceName,
        Number = e.Number, Image = e.Image, Tag = e.Tag, Commit = e.Commit, GitUrl = e.Source.GitUrl, Ref = e.Source.Ref, Status = BuildStatus.Queued,
        RerunOf = e.RerunOf, QueuedAt = e.QueuedAt, QueuedBy = e.QueuedBy.Name,
    };

    public void Apply(BuildStarted e)
    {
        Status = BuildStatus.Running;
        StartedAt = e.StartedAt;
        ClusterId = e.ClusterId;
        ClusterName = e.ClusterName;
        Namespace = e.Namespace;
        JobName = e.JobName;
    }

    public void Apply(BuildSucceeded e)
    {
        Status = BuildStatus.Succeeded;
        Digest = e.Digest;
        DurationSeconds = e.Duration.TotalSeconds;
        EndedAt = e.SucceededAt;
    }

    public void Apply(BuildFailed e)
    {
        Status = BuildStatus.Failed;
        Reason = e.Reason;
        EndedAt = e.FailedAt;
    }

    public void Apply(BuildCancelled e)
    {
        Status = BuildStatus.Cancelled;
        Reason = e.Reason;
        EndedAt = e.CancelledAt;
    }
}
