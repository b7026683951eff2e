using Cocktail.Domain.Charts;

namespace Cocktail.Application.Charts;

/// <summary>A chart repository as platform admins see it: address, kind, charts listed for OCI, who sees it, the last refresh.</summary>
public sealed class ChartRepositoryView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public ChartRepositoryKind Kind { get; set; }
    public string Url { get; set; } = "";
    public List<string> Charts { get; set; } = [];
    public bool AllWorkspaces { get; set; }
    public List<Guid> WorkspaceIds { get; set; } = [];
    public bool Removed { get; set; }
    public string AddedBy { get; set; } = "";
    public DateTimeOffset AddedAt { get; set; }
    public DateTimeOffset? ChangedAt { get; set; }
    public long Version { get; set; }

    public ChartVisibility Visibility => new(AllWorkspaces, WorkspaceIds);

    public bool VisibleTo(Guid workspaceId) => !Removed && (AllWorkspaces || WorkspaceIds.Contains(workspaceId));

    public static ChartRepositoryView Create(ChartRepositoryAdded e) => new()
    {
        Id = e.RepositoryId, Name = e.Name, Kind = e.Kind, Url = e.Url, Charts = [.. e.Charts], AllWorkspaces = e.Visibility.AllWorkspaces,
        WorkspaceIds = [.. e.Visibility.WorkspaceIds], AddedBy = e.AddedBy.Name, AddedAt = e.AddedAt,
    };

    public void Apply(ChartRepositoryVisibilityChanged e) =>
        (AllWorkspaces, WorkspaceIds, ChangedAt) = (e.After.AllWorkspaces, [.. e.After.WorkspaceIds], e.ChangedAt);

    public void Apply(ChartRepositoryRemoved e) => (Removed, ChangedAt) = (true, e.RemovedAt);
}

/// <summary>
/// The last time a repository's index was read (observed state, not an event): when, what it held, and why it failed
/// if it did. A failed refresh keeps the versions of the last good one.
/// </summary>
public sealed class ChartRepositoryRefresh
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public DateTimeOffset? SucceededAt { get; set; }
    public string? Digest { get; set; }
    public string? Error { get; set; }
    public int Charts { get; set; }
    public int Versions { get; set; }
}

/// <summary>One chart of one repository, for searching: its newest version's metadata and the text searched (lowercase).</summary>
public sealed class ChartSummary
{
    public string Id { get; set; } = "";
    public Guid RepositoryId { get; set; }
    public string RepositoryName { get; set; } = "";
    public string Chart { get; set; } = "";
    public string LatestVersion { get; set; } = "";
    public string? AppVersion { get; set; }
    public string? Description { get; set; }
    public string? Icon { get; set; }
    public List<string> Keywords { get; set; } = [];
    public bool Deprecated { get; set; }
    public int VersionCount { get; set; }
    public DateTimeOffset? Created { get; set; }
    public string SearchText { get; set; } = "";

    public static string IdOf(Guid repositoryId, string chart) => $"{repositoryId:N}/{chart}";
}

/// <summary>One version of one chart as the repository's index lists it.</summary>
public sealed class ChartVersionEntry
{
    public string Id { get; set; } = "";
    public Guid RepositoryId { get; set; }
    public string Chart { get; set; } = "";
    public string Version { get; set; } = "";
    /// <summary><see cref="ChartVersions.SortKey"/>: ordinal order is SemVer precedence.</summary>
    public string SortKey { get; set; } = "";
    public string? AppVersion { get; set; }
    public string? Description { get; set; }
    public string? KubeVersion { get; set; }
    public string? Digest { get; set; }
    public DateTimeOffset? Created { get; set; }
    public bool Deprecated { get; set; }

    public static string IdOf(Guid repositoryId, string chart, string version) => $"{repositoryId:N}/{chart}/{version}";
}
