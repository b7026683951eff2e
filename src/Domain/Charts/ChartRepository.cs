using System.Text.RegularExpressions;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Charts;

/// <summary>Which workspaces see a chart repository's charts: all of them, or the ones listed.</summary>
public sealed record ChartVisibility(bool AllWorkspaces, IReadOnlyList<Guid> WorkspaceIds)
{
    public static ChartVisibility Everyone { get; } = new(true, []);

    public static ChartVisibility Only(IEnumerable<Guid> workspaceIds) => new(false, [.. workspaceIds.Distinct().Order()]);

    public bool Includes(Guid workspaceId) => AllWorkspaces || WorkspaceIds.Contains(workspaceId);

    public bool SameAs(ChartVisibility other) =>
        AllWorkspaces == other.AllWorkspaces && (AllWorkspaces || WorkspaceIds.Order().SequenceEqual(other.WorkspaceIds.Order()));
}

/// <summary>
/// A platform admin added a Helm chart repository. <see cref="Charts"/> names the charts Cocktail lists for an OCI
/// registry (which has no index to read); it is empty for HTTP repositories, whose <c>index.yaml</c> lists them.
/// </summary>
public sealed record ChartRepositoryAdded(
    Guid RepositoryId, string Name, ChartRepositoryKind Kind, string Url, IReadOnlyList<string> Charts, ChartVisibility Visibility,
    ActorRef AddedBy, string? Reason, DateTimeOffset AddedAt);

public sealed record ChartRepositoryVisibilityChanged(
    Guid RepositoryId, string Name, ChartVisibility Before, ChartVisibility After, ActorRef ChangedBy, string? Reason, DateTimeOffset ChangedAt);

public sealed record ChartRepositoryRemoved(Guid RepositoryId, string Name, ActorRef RemovedBy, string? Reason, DateTimeOffset RemovedAt);

/// <summary>A chart repository teams browse: its address never changes (remove it and add another), its visibility does.</summary>
public sealed record ChartRepository(Guid Id, string Name, ChartRepositoryKind Kind, string Url, IReadOnlyList<string> Charts, ChartVisibility Visibility, bool Removed)
{
    public const string NoSuchRepository = "No such chart repository.";

    public static Decision Add(Guid id, string? name, ChartRepositoryKind kind, string? url, IReadOnlyList<string>? charts, ChartVisibility visibility,
        ActorRef by, string? reason, DateTimeOffset at)
    {
        if (!ChartRepositoryRules.IsValidName(name)) return DomainError.Invalid("The name is " + ChartRepositoryRules.NameRule + ".", "name");
        if (ChartRepositoryRules.CheckUrl(kind, url) is { } badUrl) return DomainError.Invalid(badUrl, "url");
        if (ChartRepositoryRules.CheckCharts(kind, charts) is { } badCharts) return DomainError.Invalid(badCharts, "charts");
        if (ChartRepositoryRules.CheckVisibility(visibility) is { } badVisibility) return DomainError.Invalid(badVisibility, "workspaceIds");
        return Decision.Accept(new ChartRepositoryAdded(id, name!, kind, ChartRepositoryRules.Normalize(kind, url!),
            kind == ChartRepositoryKind.Oci ? [.. charts!.Select(c => c.Trim()).Distinct().Order(StringComparer.Ordinal)] : [],
            visibility, by, RemovalReason.Optional(reason), at));
    }

    public Decision ChangeVisibility(ChartVisibility visibility, ActorRef by, string? reason, DateTimeOffset at)
    {
        if (Removed) return DomainError.NotFound(NoSuchRepository);
        if (ChartRepositoryRules.CheckVisibility(visibility) is { } bad) return DomainError.Invalid(bad, "workspaceIds");
        if (Visibility.SameAs(visibility)) return Decision.Nothing;
        return Decision.Accept(new ChartRepositoryVisibilityChanged(Id, Name, Visibility, visibility, by, RemovalReason.Optional(reason), at));
    }

    public Decision Remove(ActorRef by, string? reason, DateTimeOffset at) =>
        Removed ? DomainError.NotFound(NoSuchRepository) : Decision.Accept(new ChartRepositoryRemoved(Id, Name, by, RemovalReason.Optional(reason), at));

    public static ChartRepository Create(ChartRepositoryAdded e) => new(e.RepositoryId, e.Name, e.Kind, e.Url, e.Charts, e.Visibility, false);

    public ChartRepository Apply(ChartRepositoryVisibilityChanged e) => this with { Visibility = e.After };

    public ChartRepository Apply(ChartRepositoryRemoved _) => this with { Removed = true };
}

/// <summary>What a chart repository's name, URL and chart list may be.</summary>
public static partial class ChartRepositoryRules
{
    public const string NameRule = "a DNS label of at most 63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit";
    public const int MaxUrlLength = 2048;
    public const int MaxCharts = 100;
    public const int MaxWorkspaces = 1000;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamePattern();

    /// <summary>A chart name as Helm allows it: lowercase letters, digits, '-', '_', '.'.</summary>
    [GeneratedRegex("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$")]
    private static partial Regex ChartPattern();

    /// <summary>An OCI repository path: chart-name-like segments separated by '/'.</summary>
    [GeneratedRegex("^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?(/[a-z0-9]([-a-z0-9_.]*[a-z0-9])?)*$")]
    private static partial Regex PathPattern();

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static bool IsValidChartName(string? name) => name is not null && name.Length <= 250 && ChartPattern().IsMatch(name);

    /// <summary>Http: an absolute http(s) URL (Flux HelmRepository type default); Oci: oci://host[:port]/path (type oci).</summary>
    public static string? CheckUrl(ChartRepositoryKind kind, string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return "The URL is required.";
        url = url.Trim();
        if (url.Length > MaxUrlLength) return $"The URL is longer than {MaxUrlLength} characters.";
        switch (kind)
        {
            case ChartRepositoryKind.Http:
                if (!Uri.TryCreate(url, UriKind.Absolute, out var http) || http.Scheme is not ("http" or "https") || http.Host.Length == 0)
                    return "An HTTP chart repository's URL starts with http:// or https:// (the folder that holds index.yaml).";
                if (http.UserInfo.Length > 0) return "The URL must not carry a user name or password.";
                if (http.Query.Length > 0 || http.Fragment.Length > 0) return "The URL must not have a query or a fragment.";
                return null;
            case ChartRepositoryKind.Oci:
                if (!url.StartsWith("oci://", StringComparison.Ordinal)
                    || !Uri.TryCreate("https://" + url["oci://".Length..], UriKind.Absolute, out var oci) || oci.Host.Length == 0)
                    return "An OCI chart repository's URL is oci://host[:port]/path, as Flux's HelmRepository of type oci takes it.";
                if (oci.UserInfo.Length > 0) return "The URL must not carry a user name or password.";
                if (oci.Query.Length > 0 || oci.Fragment.Length > 0) return "The URL must not have a query or a fragment.";
                if (oci.AbsolutePath.Trim('/').Length > 0 && !PathPattern().IsMatch(oci.AbsolutePath.Trim('/')))
                    return "The path of an OCI URL is lowercase letters, digits, '-', '_', '.' and '/'.";
                return null;
            default:
                return "The kind is Http or Oci.";
        }
    }

    public static string? CheckCharts(ChartRepositoryKind kind, IReadOnlyList<string>? charts)
    {
        if (kind == ChartRepositoryKind.Http) return null;
        if (charts is null || charts.Count == 0)
            return "An OCI registry has no index: name the charts to list (each is a repository under the URL).";
        if (charts.Count > MaxCharts) return $"At most {MaxCharts} charts.";
        foreach (var chart in charts)
            if (!IsValidChartName(chart?.Trim())) return $"'{chart}' is not a chart name (lowercase letters, digits, '-', '_' and '.').";
        return null;
    }

    public static string? CheckVisibility(ChartVisibility? visibility)
    {
        if (visibility is null) return "Say which workspaces see the repository: all, or a list.";
        if (visibility.AllWorkspaces) return visibility.WorkspaceIds.Count == 0 ? null : "Either all workspaces or a list, not both.";
        if (visibility.WorkspaceIds.Count > MaxWorkspaces) return $"At most {MaxWorkspaces} workspaces.";
        return visibility.WorkspaceIds.Any(id => id == Guid.Empty) ? "A workspace id is empty." : null;
    }

    /// <summary>Without a trailing slash, as Flux and Helm compare repository URLs.</summary>
    public static string Normalize(ChartRepositoryKind kind, string url) => url.Trim().TrimEnd('/');
}
