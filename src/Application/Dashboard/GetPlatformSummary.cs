using Cocktail.Application.Audit;
using Cocktail.Application.Common;
using Cocktail.Application.Users;
using Marten;

namespace Cocktail.Application.Dashboard;

public sealed record PlatformSummary(int Users, int ActiveUsers, long EventsToday);

public sealed record GetPlatformSummary : IRequest<PlatformSummary>;

public static class GetPlatformSummaryHandler
{
    public static async Task<Result<PlatformSummary>> Handle(
        GetPlatformSummary _, IQuerySession session, IEventLog log, TimeProvider clock, CancellationToken ct)
    {
        var users = await session.Query<UserView>().CountAsync(ct);
        var active = await session.Query<UserView>().CountAsync(u => u.Active, ct);
        var now = clock.GetUtcNow();
        var startOfDay = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return new PlatformSummary(users, active, await log.CountSinceAsync(startOfDay, ct));
    }
}
