using System.Collections.Immutable;
using Cocktail.Domain.Common;
using Cocktail.Domain.Logs;

namespace Cocktail.Domain.Tenancy;

public sealed record WorkspaceMember(Guid UserId, string UserName, WorkspaceRole Role);

/// <summary>A team's workspace: its name and its members. Clusters and quotas are in each cluster's allocation.</summary>
public sealed record Workspace(Guid Id, string Name, ImmutableDictionary<Guid, WorkspaceMember> Members, bool Deleted,
    int LogRetentionDays = LogRetention.DefaultDays)
{
    public static Decision Create(Guid id, string name, string? description, string? color, ActorRef by, DateTimeOffset at) =>
        !DnsLabel.IsValid(name)
            ? DomainError.Invalid($"Workspace names use {DnsLabel.Rule}.", "name")
            : Decision.Accept(new WorkspaceCreated(id, name, description?.Trim(), color, by, at));

    public Decision ChangeDetails(string name, string? description, string? color, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (!DnsLabel.IsValid(name)) return DomainError.Invalid($"Workspace names use {DnsLabel.Rule}.", "name");
        return Decision.Accept(new WorkspaceDetailsChanged(Id, name, description?.Trim(), color, by, at));
    }

    /// <summary>Adds a member, or changes the role of one already there.</summary>
    public Decision SetMember(Guid userId, string userName, WorkspaceRole role, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (!Members.TryGetValue(userId, out var member))
            return Decision.Accept(new WorkspaceMemberAdded(Id, Name, userId, userName, role, by, at));
        if (member.Role == role) return Decision.Nothing;
        if (member.Role == WorkspaceRole.WorkspaceAdmin && IsLastAdmin(userId))
            return DomainError.Conflict("This is the workspace's last admin; make another member an admin first.");
        return Decision.Accept(new WorkspaceMemberRoleChanged(Id, Name, userId, userName, member.Role, role, by, at));
    }

    public Decision RemoveMember(Guid userId, string? reason, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (!Members.TryGetValue(userId, out var member)) return DomainError.NotFound("That user is not a member of this workspace.");
        if (member.Role == WorkspaceRole.WorkspaceAdmin && IsLastAdmin(userId) && Members.Count > 1)
            return DomainError.Conflict("This is the workspace's last admin; make another member an admin first.");
        return Decision.Accept(new WorkspaceMemberRemoved(Id, Name, userId, member.UserName, by, at, RemovalReason.Optional(reason)));
    }

    /// <summary>Only an empty workspace goes: its service maps must be deleted first.</summary>
    public Decision Delete(int serviceMaps, string? reason, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Decision.Nothing;
        if (serviceMaps > 0)
            return DomainError.Conflict($"The workspace still has {serviceMaps} service map(s); delete them first.");
        return Decision.Accept(new WorkspaceDeleted(Id, Name, by, at, RemovalReason.Optional(reason)));
    }

    /// <summary>How long the workspace's log lines are kept, one of the retention classes.</summary>
    public Decision SetLogRetention(int days, ActorRef by, DateTimeOffset at)
    {
        if (Deleted) return Gone();
        if (LogRetention.Check(days) is { } invalid) return invalid;
        return days == LogRetentionDays
            ? Decision.Nothing
            : Decision.Accept(new WorkspaceLogRetentionSet(Id, Name, days, LogRetentionDays, by, at));
    }

    public WorkspaceRole? RoleOf(Guid userId) => Members.TryGetValue(userId, out var m) ? m.Role : null;

    private bool IsLastAdmin(Guid userId) =>
        Members.Values.Count(m => m.Role == WorkspaceRole.WorkspaceAdmin) == 1 && Members[userId].Role == WorkspaceRole.WorkspaceAdmin;

    private DomainError Gone() => DomainError.NotFound("No such workspace.");

    public static Workspace Create(WorkspaceCreated e) => new(e.WorkspaceId, e.Name, ImmutableDictionary<Guid, WorkspaceMember>.Empty, false);
    public Workspace Apply(WorkspaceDetailsChanged e) => this with { Name = e.Name };
    public Workspace Apply(WorkspaceMemberAdded e) => this with { Members = Members.SetItem(e.UserId, new WorkspaceMember(e.UserId, e.UserName, e.Role)) };
    public Workspace Apply(WorkspaceMemberRoleChanged e) => this with { Members = Members.SetItem(e.UserId, Members[e.UserId] with { Role = e.To }) };
    public Workspace Apply(WorkspaceMemberRemoved e) => this with { Members = Members.Remove(e.UserId) };
    public Workspace Apply(WorkspaceDeleted _) => this with { Deleted = true };
    public Workspace Apply(WorkspaceLogRetentionSet e) => this with { LogRetentionDays = e.Days };
}
