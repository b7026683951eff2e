using System.Text.RegularExpressions;
using Cocktail.Domain.Registries;

namespace Cocktail.Domain.Builds;

/// <summary>The rules a build source must follow, shared by the validator, the definition and the run.</summary>
public static partial class BuildRules
{
    public static readonly string[] Placeholders = ["{branch}", "{shortSha}", "{buildNumber}"];

    [GeneratedRegex(@"^(https?://[^\s/@]+(:[0-9]+)?/\S+|ssh://[^\s/]+/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$")]
    private static partial Regex GitUrlPattern();

    [GeneratedRegex("^[0-9a-f]{7,40}$")]
    private static partial Regex ShaPattern();

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex TagUnsafe();

    /// <summary>http(s) (no credentials in the URL), ssh:// or scp-like git@host:path.</summary>
    public static bool IsValidGitUrl(string? url) =>
        url is { Length: > 0 and <= 2048 } && GitUrlPattern().IsMatch(url) && !(url.StartsWith("http", StringComparison.Ordinal) && url.Split("://", 2)[1].Split('/')[0].Contains('@'));

    public static bool IsValidCommit(string? sha) => sha is not null && ShaPattern().IsMatch(sha);

    /// <summary>A relative path that stays inside the build context (no "..", no absolute path).</summary>
    public static bool StaysInside(string? path) =>
        path is { Length: > 0 and <= 1024 } && !path.StartsWith('/') && !path.Contains('\\') &&
        path.Split('/').All(part => part is not ".." && part.Length > 0 || part == "");

    /// <summary>The branch (or tag) a ref names, as it goes into an image tag: refs/heads/feature/x → feature-x.</summary>
    public static string Branch(string gitRef)
    {
        var name = gitRef;
        foreach (var prefix in new[] { "refs/heads/", "refs/tags/" })
            if (name.StartsWith(prefix, StringComparison.Ordinal)) name = name[prefix.Length..];
        return TagUnsafe().Replace(name, "-");
    }

    /// <summary>The tag a template yields; the caller checks it with <see cref="RepositoryNames.IsValidTag"/>.</summary>
    public static string Tag(string template, string gitRef, string? commit, int number) =>
        template.Replace("{branch}", Branch(gitRef), StringComparison.Ordinal)
            .Replace("{shortSha}", commit is null ? "" : commit[..Math.Min(7, commit.Length)], StringComparison.Ordinal)
            .Replace("{buildNumber}", number.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Whether the template can yield a valid tag (checked with a sample commit and build number).</summary>
    public static bool TemplateYieldsValidTag(string? template, string gitRef) =>
        template is { Length: > 0 and <= 128 } && RepositoryNames.IsValidTag(Tag(template, gitRef, "0123abc", 1)) &&
        !Regex.IsMatch(Tag(template, gitRef, "0123abc", 1), @"\{|\}");

    public static bool NeedsCommit(string template) => template.Contains("{shortSha}", StringComparison.Ordinal);
}
