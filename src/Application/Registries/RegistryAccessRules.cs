using Cocktail.Domain.Registries;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;

namespace Cocktail.Application.Registries;

/// <summary>Who asks the token server for access: a Cocktail user (by password or API token) or a workspace's robot.</summary>
public sealed record RegistrySubject(string Name, Guid? UserId, PlatformRole? Role, Guid? RobotId, Guid? RobotWorkspaceId, RobotPermission? RobotPermission)
{
    public static readonly RegistrySubject Anonymous = new("", null, null, null, null, null);

    public static RegistrySubject User(Guid id, string name, PlatformRole role) => new(name, id, role, null, null, null);

    public static RegistrySubject Robot(Guid id, string name, Guid workspaceId, RobotPermission permission) =>
        new(name, null, null, id, workspaceId, permission);

    public bool IsAnonymous => UserId is null && RobotId is null;
}

/// <summary>One <c>scope</c> parameter of a token request: <c>repository:shop/web:pull,push</c>.</summary>
public sealed record RegistryScope(string Type, string Name, IReadOnlyList<string> Actions)
{
    public const int MaxLength = 512;

    /// <summary>type:name:actions, where the name may itself hold ':' (a registry host with a port), so the type ends at the first ':' and the actions start after the last.</summary>
    public static bool TryParse(string? value, out RegistryScope scope)
    {
        scope = null!;
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength) return false;
        var first = value.IndexOf(':');
        var last = value.LastIndexOf(':');
        if (first <= 0 || last <= first + 1) return false;
        var actions = value[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        scope = new RegistryScope(value[..first], value[(first + 1)..last], actions.Distinct().ToArray());
        return true;
    }
}

/// <summary>
/// What a subject may do in a repository. Repositories belong to the workspace named by their first path component;
/// nobody outside a workspace reaches its repositories, whatever they ask for, and what is not granted is simply
/// left out of the token (the token specification's answer to a scope the subject may not have).
/// </summary>
public static class RegistryAccessRules
{
    public const string Pull = "pull";
    public const string Push = "push";
    public const string Delete = "delete";
    public const string All = "*";

    static readonly string[] None = [];
    static readonly string[] PullOnly = [Pull];
    static readonly string[] PushPull = [Pull, Push];
    static readonly string[] Everything = [Pull, Push, Delete, All];

    /// <summary>The workspace a repository path belongs to, or null when it is not <c>&lt;workspace&gt;/&lt;repository&gt;</c>.</summary>
    public static string? WorkspaceOf(string repository) =>
        RepositoryNames.IsValid(repository) && repository.IndexOf('/') is var slash and > 0 ? repository[..slash] : null;

    /// <summary>The actions <paramref name="subject"/> may have in a repository of <paramref name="workspace"/> (null: no such workspace).</summary>
    public static IReadOnlyList<string> AllowedIn(RegistrySubject subject, Guid? workspaceId, WorkspaceRole? memberRole)
    {
        if (workspaceId is null || subject.IsAnonymous) return None;
        if (subject.RobotId is not null)
            return subject.RobotWorkspaceId == workspaceId
                ? subject.RobotPermission == RobotPermission.PushPull ? PushPull : PullOnly
                : None;
        return subject.Role switch
        {
            PlatformRole.PlatformAdmin => Everything,
            // Auditors read everything, images included; they change nothing.
            PlatformRole.Auditor => PullOnly,
            _ => memberRole switch
            {
                WorkspaceRole.WorkspaceAdmin or WorkspaceRole.Developer => PushPull,
                WorkspaceRole.Viewer => PullOnly,
                _ => None,
            },
        };
    }

    /// <summary>The registry's catalog lists every workspace's repositories: platform admins and auditors only.</summary>
    public static IReadOnlyList<string> AllowedOnCatalog(RegistrySubject subject) =>
        subject.Role is PlatformRole.PlatformAdmin or PlatformRole.Auditor && subject.UserId is not null ? [All] : None;

    /// <summary>The requested actions that are allowed, in the order asked; null when none is.</summary>
    public static RegistryAccess? Grant(RegistryScope scope, IReadOnlyList<string> allowed)
    {
        var granted = scope.Actions.Where(allowed.Contains).ToArray();
        return granted.Length == 0 ? null : new RegistryAccess(scope.Type, scope.Name, granted);
    }
}
