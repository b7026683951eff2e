namespace Cocktail.Domain.Registries;

/// <summary>A pull robot a workspace's pull secrets carry (or carried): when it was issued, until when it is valid.</summary>
public sealed record PullRobot(Guid Id, DateTimeOffset IssuedAt, DateTimeOffset ValidUntil, bool Revoked);

/// <summary>What a pass over a workspace's pull secrets does about its robots.</summary>
/// <param name="IssueNew">A new pull robot is needed (none, the newest expires soon, or a rotation was asked for).</param>
/// <param name="Current">The robot the secrets carry when no new one is issued.</param>
public sealed record PullRobotPlan(bool IssueNew, Guid? Current);

/// <summary>
/// The rotation of a workspace's pull robot: a new one well before the current one expires, written to every service
/// map, and only then the old ones revoked, so a pull never meets a secret whose robot is gone.
/// </summary>
public static class PullRobotRotation
{
    public static PullRobotPlan Plan(IEnumerable<PullRobot> robots, DateTimeOffset now, TimeSpan rotateBefore, bool forced)
    {
        var newest = robots.Where(r => !r.Revoked && r.ValidUntil > now).MaxBy(r => r.IssuedAt);
        if (newest is null || forced || newest.ValidUntil - now <= rotateBefore) return new PullRobotPlan(true, null);
        return new PullRobotPlan(false, newest.Id);
    }

    /// <summary>Once every service map carries <paramref name="current"/>: the others still valid, to revoke.</summary>
    public static IReadOnlyList<Guid> ToRevoke(IEnumerable<PullRobot> robots, Guid current) =>
        robots.Where(r => r.Id != current && !r.Revoked).Select(r => r.Id).ToList();

    /// <summary>The validity a new pull robot gets: what the options ask, never beyond the registry's maximum.</summary>
    public static TimeSpan Validity(TimeSpan wanted, TimeSpan max) => wanted <= TimeSpan.Zero || wanted > max ? max : wanted;
}
