using Cocktail.Application.Registries.Robots;
using Cocktail.Domain.Registries;
using Marten;
using Wolverine.Attributes;

namespace Cocktail.Application.Registries.ExpiringRobots;

/// <summary>Scheduled for the robot's validUntil when it is made.</summary>
[MessageIdentity("Cocktail.Application.Registries.ExpireRobotAccount")]
public sealed record ExpireRobotAccount(Guid RobotId);

/// <summary>The safety net under the schedule: records the end of robots whose validity passed while Cocktail was down.</summary>
[MessageIdentity("Cocktail.Application.Registries.SweepRobotAccounts")]
public sealed record SweepRobotAccounts;

public static class ExpireRobotAccountHandler
{
    public static async Task Handle(ExpireRobotAccount command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<RobotAccount>(command.RobotId, ct);
        if (stream.Aggregate is not { } robot) return;
        stream.AppendMany(robot.Expire(clock.GetUtcNow()).Events.ToArray());
    }
}

public static class SweepRobotAccountsHandler
{
    /// <summary>Only finds the candidates; each robot decides itself whether it has expired.</summary>
    public static async Task<IEnumerable<object>> Handle(SweepRobotAccounts _, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var overdue = await session.Query<RobotAccountView>()
            .Where(r => r.RevokedAt == null && r.ExpiredAt == null && r.ValidUntil <= now)
            .Select(r => r.Id).ToListAsync(ct);
        return overdue.Select(id => (object)new ExpireRobotAccount(id));
    }
}
