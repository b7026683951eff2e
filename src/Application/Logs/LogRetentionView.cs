using Cocktail.Domain.Logs;
using Marten.Events.Projections;

namespace Cocktail.Application.Logs;

/// <summary>A workspace's log retention, when someone set one (no document: the default).</summary>
public sealed class LogRetentionView
{
    public Guid Id { get; set; }
    public int Days { get; set; } = LogRetention.DefaultDays;
    public string SetBy { get; set; } = "";
    public DateTimeOffset SetAt { get; set; }
}

public sealed partial class LogRetentionViewProjection : MultiStreamProjection<LogRetentionView, Guid>
{
    public LogRetentionViewProjection() => Identity<WorkspaceLogRetentionSet>(e => e.WorkspaceId);

    public LogRetentionView Create(WorkspaceLogRetentionSet e) => new() { Id = e.WorkspaceId, Days = e.Days, SetBy = e.SetBy.Name, SetAt = e.SetAt };

    public void Apply(WorkspaceLogRetentionSet e, LogRetentionView view)
    {
        view.Days = e.Days;
        view.SetBy = e.SetBy.Name;
        view.SetAt = e.SetAt;
    }
}
