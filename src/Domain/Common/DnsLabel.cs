using System.Text.RegularExpressions;

namespace Cocktail.Domain.Common;

/// <summary>RFC 1123 labels: what Kubernetes accepts as a namespace name, and what Cocktail uses for its own names.</summary>
public static partial class DnsLabel
{
    public const int MaxLength = 63;
    public const string Rule = "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

    public static bool IsValid(string? value) =>
        value is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Pattern();
}
