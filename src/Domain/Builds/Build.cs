using Cocktail.Domain.Common;

namespace Cocktail.Domain.Builds;

public enum BuildStatus { Queued, Running, Succeeded, Failed, Cancelled }

/// <summary>What the build cluster says of a build's Job.</summary>
public enum BuildJobPhase { Running, Succeeded, Failed, Missing }

public sealed record BuildJobObservation(BuildJobPhase Phase, string? Digest, string? Message);

/// <summary>One run of a build definition: queued, started as a Job, and ended (succeeded with a digest, failed, cancelled).</summary>
public sealed record Build(
    Guid Id, Guid DefinitionId, string DefinitionName, Guid WorkspaceId, int Number, string Image, BuildStatus Status,
    DateTimeOffset QueuedAt, DateTimeOffset? StartedAt, Guid? ClusterId, string? Namespace, string? JobName, Guid? RobotId)
{
    public bool Ended => Status is BuildStatus.Succeeded or BuildStatus.Failed or BuildStatus.Cancelled;

    public Decision Start(Guid clusterId, string clusterName, string ns, string jobName, Guid robotId, DateTimeOffset at) =>
        Status == BuildStatus.Queued
            ? Decision.Accept(new BuildStarted(Id, DefinitionName, Number, clusterId, clusterName, ns, jobName, robotId, at))
            : Decision.Nothing;

    /// <summary>The Job could not be made (the cluster refused, no registry, no robot): the build fails with the reason.</summary>
    public Decision FailToStart(string reason, DateTimeOffset at) =>
        Status == BuildStatus.Queued ? Decision.Accept(new BuildFailed(Id, DefinitionName, Number, reason, at)) : Decision.Nothing;

    /// <summary>The build cluster's answer about the Job; only an ended Job of a running build is an event.</summary>
    public Decision Observe(BuildJobObservation observed, DateTimeOffset at)
    {
        if (Status != BuildStatus.Running) return Decision.Nothing;
        var duration = at - (StartedAt ?? at);
        return observed.Phase switch
        {
            BuildJobPhase.Succeeded when observed.Digest is { Length: > 0 } digest =>
                Decision.Accept(new BuildSucceeded(Id, DefinitionName, Number, Image, digest, duration, at)),
            BuildJobPhase.Succeeded => Decision.Accept(new BuildFailed(Id, DefinitionName, Number, "The build ended without reporting an image digest.", at)),
            BuildJobPhase.Failed => Decision.Accept(new BuildFailed(Id, DefinitionName, Number, observed.Message ?? "The build's Job failed.", at)),
            BuildJobPhase.Missing => Decision.Accept(new BuildFailed(Id, DefinitionName, Number, "The build's Job is gone from the build cluster.", at)),
            _ => Decision.Nothing,
        };
    }

    public Decision Cancel(string? reason, ActorRef by, DateTimeOffset at) =>
        Ended
            ? DomainError.Conflict($"Build #{Number} of {DefinitionName} has already ended ({Status}).")
            : Decision.Accept(new BuildCancelled(Id, DefinitionName, Number, reason, by, at));

    public static Build Create(BuildQueued e) =>
        new(e.BuildId, e.DefinitionId, e.DefinitionName, e.WorkspaceId, e.Number, e.Image, BuildStatus.Queued, e.QueuedAt, null, null, null, null, null);

    public Build Apply(BuildStarted e) =>
        this with { Status = BuildStatus.Running, StartedAt = e.StartedAt, ClusterId = e.ClusterId, Namespace = e.Namespace, JobName = e.JobName, RobotId = e.RobotId };

    public Build Apply(BuildSucceeded _) => this with { Status = BuildStatus.Succeeded };
    public Build Apply(BuildFailed _) => this with { Status = BuildStatus.Failed };
    public Build Apply(BuildCancelled _) => this with { Status = BuildStatus.Cancelled };
}

/// <summary>The platform's build settings, one stream (the Id, as every aggregate has, lets the event source generator take it).</summary>
public sealed record BuildSettings(Guid Id, Guid ClusterId, string ClusterName, string Namespace, string CpuLimit, string MemoryLimit, int ConcurrencyPerWorkspace, int TimeoutMinutes)
{
    public static readonly Guid StreamId = new("0193a000-0000-7000-8000-00000000b01d");

    public static Decision Change(BuildSettings? current, BuildSettings wanted, ActorRef by, DateTimeOffset at)
    {
        if (!Common.DnsLabel.IsValid(wanted.Namespace)) return DomainError.Invalid("The namespace is a DNS label (lowercase letters, digits, '-').", "namespace");
        if (wanted.ConcurrencyPerWorkspace is < 1 or > 100) return DomainError.Invalid("Between 1 and 100 builds per workspace at once.", "concurrencyPerWorkspace");
        if (wanted.TimeoutMinutes is < 1 or > 24 * 60) return DomainError.Invalid("A build times out after 1 minute to 24 hours.", "timeoutMinutes");
        if (current == wanted) return Decision.Nothing;
        return Decision.Accept(new BuildSettingsChanged(wanted.ClusterId, wanted.ClusterName, wanted.Namespace, wanted.CpuLimit, wanted.MemoryLimit,
            wanted.ConcurrencyPerWorkspace, wanted.TimeoutMinutes, by, at));
    }

    public static BuildSettings Create(BuildSettingsChanged e) =>
        new(StreamId, e.ClusterId, e.ClusterName, e.Namespace, e.CpuLimit, e.MemoryLimit, e.ConcurrencyPerWorkspace, e.TimeoutMinutes);

    public BuildSettings Apply(BuildSettingsChanged e) => Create(e);
}
