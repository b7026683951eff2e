using Cocktail.Domain.ApiTokens;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.ApiTokens;

public static class Configuration
{
    public static void AddApiTokens(this StoreOptions options)
    {
        options.Projections.Snapshot<ApiTokenView>(SnapshotLifecycle.Inline);
        options.Schema.For<ApiTokenView>().Index(t => t.UserId);
        options.Schema.For<ApiTokenSecret>();
        options.Events.AddEventTypes([typeof(ApiTokenCreated), typeof(ApiTokenRevoked)]);
    }
}
