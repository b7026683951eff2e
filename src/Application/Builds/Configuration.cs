using Cocktail.Domain.Builds;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Builds;

public static class Configuration
{
    /// <summary>Build definitions, runs and the platform's build settings.</summary>
    public static void AddBuilds(this StoreOptions options)
    {
        options.Projections.Snapshot<BuildDefinitionView>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<BuildView>(SnapshotLifecycle.Inline);
        options.Schema.For<BuildDefinitionView>().Index(d => d.WorkspaceId);
        options.Schema.For<BuildView>().Index(b => b.WorkspaceId).Index(b => b.DefinitionId);
        options.Schema.For<BuildGitSecret>();
        options.Events.AddEventTypes([
            typeof(BuildDefinitionCreated), typeof(BuildDefinitionChanged), typeof(BuildDefinitionDeleted), typeof(BuildQueued),
            typeof(BuildStarted), typeof(BuildSucceeded), typeof(BuildFailed), typeof(BuildCancelled), typeof(BuildSettingsChanged),
        ]);
    }
}
