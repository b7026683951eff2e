using System.Text.RegularExpressions;

namespace Cocktail.Domain.Registries;

/// <summary>
/// One entry of a registry token's <c>access</c> claim, as the Docker Registry v2 token specification defines it:
/// <c>{"type": "repository", "name": "shop/web", "actions": ["pull", "push"]}</c>.
/// </summary>
public sealed record RegistryAccess(string Type, string Name, IReadOnlyList<string> Actions)
{
    public static RegistryAccess Repository(string name, params string[] actions) => new("repository", name, actions);
}

/// <summary>What a robot account may do in its workspace's repositories.</summary>
public enum RobotPermission
{
    Pull,
    PushPull,
}

/// <summary>Repository names as the OCI Distribution specification allows them (and the registry enforces).</summary>
public static partial class RepositoryNames
{
    /// <summary>The distribution reference grammar's path: lowercase components joined by '/', at most 255 characters.</summary>
    public const int MaxLength = 255;

    public const string Rule = "lowercase letters and digits, separated by '.', '_', '__' or dashes, components joined by '/', at most 255 characters";

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$")]
    private static partial Regex Path();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Path().IsMatch(name);

    /// <summary>A tag as the distribution reference grammar allows it: <c>[\w][\w.-]{0,127}</c>.</summary>
    public static bool IsValidTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>The repository path inside a workspace: <c>&lt;workspace&gt;/&lt;repository&gt;</c>.</summary>
    public static string InWorkspace(string workspaceName, string repository) => $"{workspaceName}/{repository}";
}
