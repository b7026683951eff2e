using Cocktail.Domain.Common;

namespace Cocktail.Domain.Logs;

/// <summary>
/// How long a workspace's log lines are kept. Only a few retention classes exist: each class is a partition of the log
/// table of its own (with day partitions under it), so that expiry is always dropping whole day partitions of one
/// class, never deleting rows.
/// </summary>
public static class LogRetention
{
    public const int DefaultDays = 7;

    public static readonly int[] Classes = [1, 3, 7, 14, 30, 90];

    public static int MaxDays => Classes[^1];

    public static bool IsClass(int days) => Array.IndexOf(Classes, days) >= 0;

    public static string Rule => $"Retention is one of {string.Join(", ", Classes)} days.";

    public static DomainError? Check(int days) => IsClass(days) ? null : DomainError.Invalid(Rule, "days");
}

/// <summary>A workspace's log retention changed: lines received from now on are kept that long.</summary>
public sealed record WorkspaceLogRetentionSet(Guid WorkspaceId, string WorkspaceName, int Days, int PreviousDays, ActorRef SetBy, DateTimeOffset SetAt);

/// <summary>Someone exported log lines: the query as they gave it, and how many lines they took away.</summary>
public sealed record LogsExported(
    Guid ExportId, string Format, string Query, Guid? WorkspaceId, Guid? ServiceMapId, DateTimeOffset From, DateTimeOffset To, long Rows,
    ActorRef ExportedBy, DateTimeOffset ExportedAt);
