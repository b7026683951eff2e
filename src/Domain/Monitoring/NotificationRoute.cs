using System.Text.RegularExpressions;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Monitoring;

/// <summary>
/// Which alerts a route sends to which channels, and how often: alerts with one of <see cref="Severities"/> (any, when
/// empty) whose labels match every matcher; grouped by the values of <see cref="GroupBy"/> labels, each group's first
/// notification held back <see cref="GroupWait"/> to collect its alerts, a still-firing group notified again every
/// <see cref="RepeatInterval"/>, and resolved alerts notified when <see cref="SendResolved"/>.
/// </summary>
public sealed partial record RouteSpec(
    IReadOnlyList<Guid> ChannelIds, IReadOnlyList<AlertSeverity> Severities, IReadOnlyList<LabelMatcher> Matchers, IReadOnlyList<string> GroupBy,
    TimeSpan GroupWait, TimeSpan RepeatInterval, bool SendResolved)
{
    public static readonly TimeSpan MaxGroupWait = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinRepeatInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRepeatInterval = TimeSpan.FromDays(7);
    public static readonly IReadOnlyList<string> Operators = ["=", "!=", "=~", "!~"];

    public bool Matches(AlertSeverity severity, IReadOnlyDictionary<string, string> labels) =>
        (Severities.Count == 0 || Severities.Contains(severity)) && Matchers.All(m => Holds(m, labels));

    /// <summary>As Alertmanager: a missing label is the empty string, and regular expressions match the whole value.</summary>
    public static bool Holds(LabelMatcher matcher, IReadOnlyDictionary<string, string> labels)
    {
        var value = labels.GetValueOrDefault(matcher.Name) ?? "";
        return matcher.Operator switch
        {
            "=" => value == matcher.Value,
            "!=" => value != matcher.Value,
            "=~" => Anchored(matcher.Value).IsMatch(value),
            "!~" => !Anchored(matcher.Value).IsMatch(value),
            _ => false,
        };
    }

    private static Regex Anchored(string pattern) => new($"^(?:{pattern})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    public DomainError? Refusal()
    {
        if (ChannelIds.Count == 0) return DomainError.Invalid("A route sends to at least one channel.", "channelIds");
        if (GroupWait < TimeSpan.Zero || GroupWait > MaxGroupWait) return DomainError.Invalid("Group wait is between 0 and 1 hour.", "groupWaitSeconds");
        if (RepeatInterval < MinRepeatInterval || RepeatInterval > MaxRepeatInterval)
            return DomainError.Invalid("The repeat interval is between 1 second and 7 days.", "repeatIntervalSeconds");
        for (var i = 0; i < Matchers.Count; i++)
        {
            var m = Matchers[i];
            if (string.IsNullOrWhiteSpace(m.Name) || !LabelName().IsMatch(m.Name))
                return DomainError.Invalid("A matcher names a label ([a-zA-Z_][a-zA-Z0-9_]*).", $"matchers[{i}].name");
            if (!Operators.Contains(m.Operator)) return DomainError.Invalid("A matcher's operator is =, !=, =~ or !~.", $"matchers[{i}].operator");
            if (m.Operator is "=~" or "!~" && !IsRegex(m.Value)) return DomainError.Invalid("Not a regular expression.", $"matchers[{i}].value");
        }
        for (var i = 0; i < GroupBy.Count; i++)
            if (!LabelName().IsMatch(GroupBy[i])) return DomainError.Invalid("Group by label names ([a-zA-Z_][a-zA-Z0-9_]*).", $"groupBy[{i}]");
        return null;
    }

    private static bool IsRegex(string pattern)
    {
        try { _ = Anchored(pattern); return true; }
        catch (ArgumentException) { return false; }
    }

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}

public sealed record NotificationRouteCreated(Guid RouteId, Guid? WorkspaceId, string? WorkspaceName, string Name, RouteSpec Spec, ActorRef CreatedBy, DateTimeOffset CreatedAt);

public sealed record NotificationRouteChanged(Guid RouteId, Guid? WorkspaceId, string Name, RouteSpec Spec, ActorRef ChangedBy, DateTimeOffset ChangedAt);

public sealed record NotificationRouteRemoved(Guid RouteId, Guid? WorkspaceId, string Name, ActorRef RemovedBy, DateTimeOffset RemovedAt, string? Reason);

public sealed record NotificationRoute(Guid Id, Guid? WorkspaceId, string Name, RouteSpec Spec, bool Removed)
{
    public const string NoSuchRoute = "No such notification route.";

    public static Decision Create(Guid id, Guid? workspaceId, string? workspaceName, string name, RouteSpec spec, ActorRef by, DateTimeOffset at) =>
        spec.Refusal() is { } refused ? refused : Decision.Accept(new NotificationRouteCreated(id, workspaceId, workspaceName, name.Trim(), spec, by, at));

    public Decision Change(string name, RouteSpec spec, ActorRef by, DateTimeOffset at)
    {
        if (Removed) return DomainError.NotFound(NoSuchRoute);
        if (spec.Refusal() is { } refused) return refused;
        return name.Trim() == Name && Same(spec, Spec) ? Decision.Nothing
            : Decision.Accept(new NotificationRouteChanged(Id, WorkspaceId, name.Trim(), spec, by, at));
    }

    public Decision Remove(ActorRef by, DateTimeOffset at, string? reason) =>
        Removed ? DomainError.NotFound(NoSuchRoute) : Decision.Accept(new NotificationRouteRemoved(Id, WorkspaceId, Name, by, at, RemovalReason.Optional(reason)));

    private static bool Same(RouteSpec a, RouteSpec b) =>
        a.ChannelIds.SequenceEqual(b.ChannelIds) && a.Severities.SequenceEqual(b.Severities) && a.Matchers.SequenceEqual(b.Matchers) &&
        a.GroupBy.SequenceEqual(b.GroupBy) && a.GroupWait == b.GroupWait && a.RepeatInterval == b.RepeatInterval && a.SendResolved == b.SendResolved;

    public static NotificationRoute Create(NotificationRouteCreated e) => new(e.RouteId, e.WorkspaceId, e.Name, e.Spec, false);

    public NotificationRoute Apply(NotificationRouteChanged e) => this with { Name = e.Name, Spec = e.Spec };

    public NotificationRoute Apply(NotificationRouteRemoved _) => this with { Removed = true };
}
