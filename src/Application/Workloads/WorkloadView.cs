using Cocktail.Domain.Workloads;

namespace Cocktail.Application.Workloads;

/// <summary>A workload as its pages show it: the current spec and revision, and what the cluster says of it.</summary>
public sealed class WorkloadView
{
    public Guid Id { get; set; }
    public Guid ServiceMapId { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid ClusterId { get; set; }
    public string Namespace { get; set; } = "";
    public string Name { get; set; } = "";
    public WorkloadKind Kind { get; set; }
    public int Revision { get; set; }
    public WorkloadSpec Spec { get; set; } = default!;
    public RolloutStatus Rollout { get; set; }
    public string? RolloutMessage { get; set; }
    public DateTimeOffset RolloutSince { get; set; }
    public List<string> Drift { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";

    public static WorkloadView Create(WorkloadDeployed e) => new()
    {
        Id = e.WorkloadId, ServiceMapId = e.ServiceMapId, WorkspaceId = e.WorkspaceId, ClusterId = e.ClusterId, Namespace = e.Namespace,
        Name = e.Name, Kind = e.Kind, Revision = 1, Spec = e.Spec, Rollout = RolloutStatus.Pending, RolloutSince = e.DeployedAt,
        CreatedAt = e.DeployedAt, CreatedBy = e.DeployedBy.Name, UpdatedAt = e.DeployedAt, UpdatedBy = e.DeployedBy.Name,
    };

    public void Apply(WorkloadUpdated e) => Changed(e.Revision, e.Spec, e.UpdatedBy.Name, e.UpdatedAt);
    public void Apply(WorkloadScaled e) => Changed(e.Revision, e.Spec, e.ScaledBy.Name, e.ScaledAt);
    public void Apply(WorkloadRolledBack e) => Changed(e.Revision, e.Spec, e.RolledBackBy.Name, e.RolledBackAt);
    public bool ShouldDelete(WorkloadDeleted _) => true;

    public void Apply(WorkloadRolloutChanged e)
    {
        Rollout = e.Status;
        RolloutMessage = e.Message;
        RolloutSince = e.ObservedAt;
    }

    public void Apply(WorkloadDriftDetected e) => Drift = e.Findings.ToList();
    public void Apply(WorkloadDriftCleared _) => Drift = [];

    private void Changed(int revision, WorkloadSpec spec, string by, DateTimeOffset at)
    {
        Revision = revision;
        Spec = spec;
        UpdatedBy = by;
        UpdatedAt = at;
        Rollout = RolloutStatus.Pending;
        RolloutMessage = null;
        RolloutSince = at;
    }
}
