using Cocktail.Domain.Registries;

namespace Cocktail.Application.Registries.Images;

/// <summary>A tag as the console lists it: digest, size, when the image was built (from its config), who pushed it and when.</summary>
public sealed record ImageTagView(
    string Tag, string Digest, long Size, string MediaType, string PushedBy, DateTimeOffset PushedAt, DateTimeOffset? CreatedAt, string? Platform);

/// <summary>A repository of a workspace's registry with its tags, built inline from its stream.</summary>
public sealed class ImageRepositoryView
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public string WorkspaceName { get; set; } = "";
    /// <summary>The full name, <c>&lt;workspace&gt;/&lt;repository&gt;</c>.</summary>
    public string Name { get; set; } = "";
    public List<ImageTagView> Tags { get; set; } = [];
    public int TagCount { get; set; }
    public DateTimeOffset? LastPushedAt { get; set; }
    public string? LastPushedBy { get; set; }
    public int? KeepLast { get; set; }
    public int? KeepNewerThanDays { get; set; }
    public long Version { get; set; }

    public static ImageRepositoryView Create(ImagePushed e)
    {
        var view = new ImageRepositoryView { Id = e.RepositoryId, Name = e.Repository };
        view.Apply(e);
        return view;
    }

    public void Apply(ImagePushed e)
    {
        (WorkspaceId, WorkspaceName, LastPushedAt, LastPushedBy) = (e.WorkspaceId, e.WorkspaceName, e.PushedAt, e.PushedBy);
        var known = Tags.FirstOrDefault(t => t.Digest == e.Digest && t.CreatedAt is not null);
        Tags.RemoveAll(t => t.Tag == e.Tag);
        Tags.Add(new ImageTagView(e.Tag, e.Digest, e.Size, e.MediaType, e.PushedBy, e.PushedAt, known?.CreatedAt, known?.Platform));
        TagCount = Tags.Count;
    }

    public void Apply(ImageInspected e)
    {
        for (var i = 0; i < Tags.Count; i++)
            if (Tags[i].Digest == e.Digest) Tags[i] = Tags[i] with { CreatedAt = e.CreatedAt, Platform = e.Platform };
    }

    public void Apply(ImageTagDeleted e)
    {
        Tags.RemoveAll(t => t.Tag == e.Tag);
        TagCount = Tags.Count;
    }

    public void Apply(RetentionRuleChanged e) => (KeepLast, KeepNewerThanDays) = (e.KeepLast, e.KeepNewerThanDays);

    public string? RetentionText => KeepLast is null && KeepNewerThanDays is null ? null : new RetentionRule(KeepLast, KeepNewerThanDays).Describe();

    /// <summary>The name inside the workspace, without the workspace's prefix.</summary>
    public string ShortName => Name.StartsWith(WorkspaceName + "/", StringComparison.Ordinal) ? Name[(WorkspaceName.Length + 1)..] : Name;
}
