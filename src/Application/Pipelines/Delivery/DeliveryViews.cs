using Cocktail.Domain.Common;
using Cocktail.Domain.Pipelines;
using Marten.Events.Projections;

namespace Cocktail.Application.Pipelines.Delivery;

/// <summary>
/// A run's production deploy outcome, for the delivery metrics. One per run, projected from the run's own stream:
/// its first event (<see cref="PipelineRunQueued"/>) carries the queueing time lead time falls back to, so the record
/// needs no look-up in another document (which would depend on projection order and break rebuilds). A run has at
/// most one production stage, so at most one outcome; until it has one, <see cref="Succeeded"/> is null and the
/// metrics skip the record.
/// </summary>
public sealed class DeliveryRecord
{
    public Guid Id { get; set; }
    public Guid PipelineId { get; set; }
    public Guid WorkspaceId { get; set; }
    public string PipelineName { get; set; } = "";
    public int RunNumber { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public string? Commit { get; set; }
    public DateTimeOffset? CommittedAt { get; set; }
    public string? Stage { get; set; }
    /// <summary>Null until the production deploy succeeded or failed.</summary>
    public bool? Succeeded { get; set; }
    public DateTimeOffset? At { get; set; }
    public string? Reason { get; set; }

    public static DeliveryRecord Create(PipelineRunQueued e) => new()
    {
        Id = e.RunId, PipelineId = e.PipelineId, WorkspaceId = e.WorkspaceId, PipelineName = e.PipelineName, RunNumber = e.Number, QueuedAt = e.QueuedAt,
        Commit = e.Trigger.Commit, CommittedAt = e.Trigger.CommittedAt,
    };

    public void Apply(PipelineDeployed e)
    {
        if (!e.Production) return;
        // The deploy carries the run's ids too: a record is whole even when its queueing was never seen.
        (Id, PipelineId, WorkspaceId, PipelineName, RunNumber) = (e.RunId, e.PipelineId, e.WorkspaceId, e.PipelineName, e.RunNumber);
        Stage = e.Stage;
        Succeeded = true;
        At = e.DeployedAt;
        Commit = e.Commit ?? Commit;
        CommittedAt = e.CommittedAt ?? CommittedAt;
    }

    public void Apply(PipelineDeployFailed e)
    {
        if (!e.Production) return;
        (Id, PipelineId, WorkspaceId) = (e.RunId, e.PipelineId, e.WorkspaceId);
        Stage = e.Stage;
        Succeeded = false;
        At = e.FailedAt;
        Reason = e.Reason;
    }

    public DeliveryOutcome ToOutcome() => new(PipelineId, Id, Succeeded == true, At!.Value, CommittedAt, QueuedAt == default ? null : QueuedAt);
}

/// <summary>A workload a deploy changed, as the environments table shows it.</summary>
public sealed record EnvironmentWorkload(Guid WorkloadId, string Name, Guid ServiceMapId, string ServiceMap, int Revision);

/// <summary>"What is deployed now" in one stage (environment) of a pipeline: the last successful deploy there.</summary>
public sealed class PipelineEnvironmentView
{
    public Guid Id { get; set; }
    public Guid PipelineId { get; set; }
    public Guid WorkspaceId { get; set; }
    public string PipelineName { get; set; } = "";
    public string Stage { get; set; } = "";
    public bool Production { get; set; }
    /// <summary>What the workloads run: pinned by digest, the tag kept for people.</summary>
    public string Image { get; set; } = "";
    public string Repository { get; set; } = "";
    public string Digest { get; set; } = "";
    public string? Tag { get; set; }
    public string? Commit { get; set; }
    public DateTimeOffset? CommittedAt { get; set; }
    public Guid RunId { get; set; }
    public int RunNumber { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTimeOffset DeployedAt { get; set; }
    public List<EnvironmentWorkload> Workloads { get; set; } = [];

    public static Guid IdFor(Guid pipelineId, string stage) => DerivedIds.From("pipeline-env:" + stage, pipelineId);
}

/// <summary>Each <see cref="PipelineDeployed"/> replaces its (pipeline, stage) environment; a deploy older than the one shown does not.</summary>
public sealed partial class PipelineEnvironmentViewProjection : MultiStreamProjection<PipelineEnvironmentView, Guid>
{
    public PipelineEnvironmentViewProjection() => Identity<PipelineDeployed>(e => PipelineEnvironmentView.IdFor(e.PipelineId, e.Stage));

    public void Apply(PipelineDeployed e, PipelineEnvironmentView view)
    {
        // A fresh view has DeployedAt default; an event replayed or appended late must not put an older image back.
        if (view.RunId != Guid.Empty && e.DeployedAt < view.DeployedAt) return;
        view.Id = PipelineEnvironmentView.IdFor(e.PipelineId, e.Stage);
        view.PipelineId = e.PipelineId;
        view.WorkspaceId = e.WorkspaceId;
        view.PipelineName = e.PipelineName;
        view.Stage = e.Stage;
        view.Production = e.Production;
        view.Image = e.Artifact.Reference;
        view.Repository = e.Artifact.Repository;
        view.Digest = e.Artifact.Digest;
        view.Tag = e.Artifact.Tag;
        view.Commit = e.Commit;
        view.CommittedAt = e.CommittedAt;
        view.RunId = e.RunId;
        view.RunNumber = e.RunNumber;
        view.ApprovedBy = e.ApprovedBy?.Name;
        view.DeployedAt = e.DeployedAt;
        view.Workloads = e.Workloads.Select(w => new EnvironmentWorkload(w.WorkloadId, w.Workload, w.ServiceMapId, w.ServiceMapName, w.Revision)).ToList();
    }
}
