using Cocktail.Application.Common;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.Workspaces;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Registries.BrowsingImages;

/// <summary>A repository in a list: its tags are counted, not listed.</summary>
public sealed record ImageRepositoryItem(
    Guid Id, Guid WorkspaceId, string Name, string ShortName, int TagCount, DateTimeOffset? LastPushedAt, string? LastPushedBy, int? KeepLast,
    int? KeepNewerThanDays, string? Retention);

/// <summary>A repository with one page of its tags, and where clients pull from (<c>{address}/{name}</c>).</summary>
public sealed record ImageRepositoryDetails(ImageRepositoryItem Repository, string? PullReference, Page<ImageTagView> Tags, long Version);

/// <summary>The repositories of a workspace's registry, by name.</summary>
public sealed record ListImageRepositories(Guid WorkspaceId) : IRequest<IReadOnlyList<ImageRepositoryItem>>;

/// <summary>A repository and its tags: newest push first (<c>sort=pushed</c>, the default) or by tag (<c>sort=tag</c>).</summary>
public sealed record GetImageRepository(Guid RepositoryId, int Page = 1, int PageSize = 50, string? Sort = null) : IRequest<ImageRepositoryDetails>;

public static class ImageQueriesHandler
{
    public static async Task<Result<IReadOnlyList<ImageRepositoryItem>>> Handle(ListImageRepositories query, Actor actor, IQuerySession session,
        CancellationToken ct)
    {
        var workspace = await TenancyAccess.LoadAsync(session, actor, query.WorkspaceId, null, ct);
        if (workspace.Failure is { } failure) return failure;
        var repositories = await session.Query<ImageRepositoryView>().Where(r => r.WorkspaceId == query.WorkspaceId && r.TagCount > 0)
            .OrderBy(r => r.Name).ToListAsync(ct);
        return repositories.Select(Item).ToList();
    }

    public static async Task<Result<ImageRepositoryDetails>> Handle(GetImageRepository query, Actor actor, IQuerySession session,
        IOptions<RegistryOptions> options, CancellationToken ct)
    {
        if (query.Sort is not (null or "pushed" or "tag")) return Failure.Invalid("sort is 'pushed' or 'tag'.", "sort");
        var view = await ImageAccess.LoadAsync(session, actor, query.RepositoryId, null, ct);
        if (view.Failure is { } failure) return failure;
        var repository = view.Value!;
        var (page, size) = Paging.Clamp(query.Page, query.PageSize);
        var sorted = query.Sort == "tag"
            ? repository.Tags.OrderBy(t => t.Tag, StringComparer.Ordinal)
            : repository.Tags.OrderByDescending(t => t.PushedAt).ThenBy(t => t.Tag, StringComparer.Ordinal);
        var items = sorted.Skip((page - 1) * size).Take(size).ToList();
        var reference = options.Value.Configured ? $"{options.Value.Address}/{repository.Name}" : null;
        return new ImageRepositoryDetails(Item(repository), reference, new Page<ImageTagView>(items, repository.Tags.Count, page, size), repository.Version);
    }

    public static ImageRepositoryItem Item(ImageRepositoryView r) =>
        new(r.Id, r.WorkspaceId, r.Name, r.ShortName, r.TagCount, r.LastPushedAt, r.LastPushedBy, r.KeepLast, r.KeepNewerThanDays, r.RetentionText);
}
