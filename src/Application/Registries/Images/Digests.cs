using System.Text.RegularExpressions;

namespace Cocktail.Application.Registries.Images;

/// <summary>Content digests as the OCI image specification writes them (<c>sha256:&lt;64 hex&gt;</c>, or another registered algorithm).</summary>
public static partial class Digests
{
    [GeneratedRegex("^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? digest) => digest is { Length: <= 256 } && Pattern().IsMatch(digest);

    /// <summary>sha256:0123456789ab, as lists show it.</summary>
    public static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;
}
