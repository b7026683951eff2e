using Cocktail.Domain.Tenancy;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.QuotaRequests;

public static class Configuration
{
    /// <summary>Quota requests: their inbox view and their events.</summary>
    public static void AddQuotaRequests(this StoreOptions options)
    {
        options.Projections.Snapshot<QuotaRequestView>(SnapshotLifecycle.Inline);
        options.Schema.For<QuotaRequestView>().Index(r => r.WorkspaceId);
        options.Events.AddEventTypes([typeof(QuotaRequested), typeof(QuotaRequestApproved), typeof(QuotaRequestRejected)]);
    }
}
