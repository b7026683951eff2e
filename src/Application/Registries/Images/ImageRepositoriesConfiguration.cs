using Cocktail.Domain.Registries;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.Registries.Images;

public static class ImageRepositoriesConfiguration
{
    /// <summary>Repositories and tags of the workspace registry, from its push notifications.</summary>
    public static void AddImageRepositories(this StoreOptions options)
    {
        options.Projections.Snapshot<ImageRepositoryView>(SnapshotLifecycle.Inline);
        options.Schema.For<ImageRepositoryView>().Index(r => r.WorkspaceId).Index(r => r.Name);
        options.Events.AddEventTypes([typeof(ImagePushed), typeof(ImageInspected), typeof(ImageTagDeleted), typeof(RetentionRuleChanged)]);
    }
}
