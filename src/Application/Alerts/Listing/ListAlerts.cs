using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using Marten;

namespace Cocktail.Application.Alerts.Listing;

/// <summary>
/// A workspace's alerts (or the platform's, without a workspace): firing now, or the history (every occurrence,
/// newest first), filtered by severity, cluster and service map, paged on the server.
/// </summary>
public sealed record ListAlerts(
    Guid? WorkspaceId, bool FiringOnly = true, AlertSeverity? Severity = null, Guid? ClusterId = null, Guid? ServiceMapId = null,
    int Page = 1, int PageSize = 50) : IRequest<Page<AlertView>>;

public static class ListAlertsHandler
{
    public static async Task<Result<Page<AlertView>>> Handle(ListAlerts query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        if (await AlertAccess.CheckAsync(session, actor, query.WorkspaceId, AlertAccess.Need.Read, ct) is { } denied) return denied;
        var alerts = session.Query<AlertView>().Where(a => a.WorkspaceId == query.WorkspaceId);
        if (query.FiringOnly) alerts = alerts.Where(a => a.Firing);
        if (query.Severity is { } severity) alerts = alerts.Where(a => a.Severity == severity);
        if (query.ClusterId is { } cluster) alerts = alerts.Where(a => a.ClusterId == cluster);
        if (query.ServiceMapId is { } map) alerts = alerts.Where(a => a.ServiceMapId == map);
        return await Paging.ToPageAsync(alerts.OrderByDescending(a => a.FiredAt), query.Page, query.PageSize, ct);
    }
}
