using Cocktail.Domain.Policies;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Policies;

public static class Configuration
{
    /// <summary>The security policies of workspaces and service maps, one stream per target.</summary>
    public static void AddPolicies(this StoreOptions options)
    {
        options.Projections.Snapshot<SecurityPolicyView>(SnapshotLifecycle.Inline);
        options.Schema.For<SecurityPolicyView>().Index(p => p.TargetId);
        options.Events.AddEventTypes([typeof(SecurityPolicyChanged)]);
    }
}
