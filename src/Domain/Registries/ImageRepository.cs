using System.Collections.Immutable;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Registries;

/// <summary>A tag as the repository knows it: the manifest it points at, who pushed it and when.</summary>
public sealed record ImageTag(string Tag, string Digest, long Size, string PushedBy, DateTimeOffset PushedAt);

/// <summary>
/// Which tags a repository keeps. Each given condition keeps a tag (the last N pushed, or pushed within D days); a tag
/// that no condition keeps is deleted. A tag whose image another kept tag shares is kept too, since the registry can
/// only delete a manifest with all its tags.
/// </summary>
public sealed record RetentionRule(int? KeepLast, int? KeepNewerThanDays)
{
    public const int MaxKeepLast = 10_000;
    public const int MaxDays = 3650;

    public static DomainError? Check(int? keepLast, int? keepNewerThanDays)
    {
        if (keepLast is < 1 or > MaxKeepLast) return DomainError.Invalid($"keepLast is between 1 and {MaxKeepLast}.", "keepLast");
        if (keepNewerThanDays is < 1 or > MaxDays) return DomainError.Invalid($"keepNewerThanDays is between 1 and {MaxDays}.", "keepNewerThanDays");
        return null;
    }

    public string Describe() => (KeepLast, KeepNewerThanDays) switch
    {
        ({ } n, { } d) => $"keep the last {n} tags and tags newer than {d} days",
        ({ } n, null) => $"keep the last {n} tags",
        (null, { } d) => $"keep tags newer than {d} days",
        _ => "keep everything",
    };

    /// <summary>The tags the rule deletes at <paramref name="at"/>, oldest first.</summary>
    public IReadOnlyList<ImageTag> Expired(IEnumerable<ImageTag> tags, DateTimeOffset at)
    {
        if (KeepLast is null && KeepNewerThanDays is null) return [];
        var newestFirst = tags.OrderByDescending(t => t.PushedAt).ThenByDescending(t => t.Tag, StringComparer.Ordinal).ToList();
        var kept = newestFirst.Where((t, i) => i < KeepLast || KeepNewerThanDays is { } d && t.PushedAt >= at - TimeSpan.FromDays(d)).ToList();
        var keptDigests = kept.Select(t => t.Digest).ToHashSet(StringComparer.Ordinal);
        return newestFirst.Except(kept).Where(t => !keptDigests.Contains(t.Digest)).Reverse().ToList();
    }
}

/// <summary>
/// One repository of the workspace registry (<c>&lt;workspace&gt;/&lt;name&gt;</c>), its stream id derived from its
/// name. It knows its tags from the registry's push notifications; deleting a tag and the retention rule are its
/// decisions, and the registry is made to match after they are recorded.
/// </summary>
public sealed record ImageRepository(Guid Id, Guid WorkspaceId, string Name, ImmutableDictionary<string, ImageTag> Tags, RetentionRule? Retention)
{
    public const string NoSuchRepository = "No such repository.";

    public static Guid IdFor(string repository) => DerivedIds.From("image-repository:" + repository, Guid.Empty);

    /// <summary>
    /// A push the registry reported. A tag already pointing at the same digest records nothing (the registry retries
    /// notifications, and pushing the same image again changes nothing).
    /// </summary>
    public static Decision RecordPush(ImageRepository? current, Guid workspaceId, string workspaceName, string repository, string tag, string digest,
        long size, string mediaType, string pushedBy, string? sourceAddress, string notificationId, DateTimeOffset at)
    {
        if (!RepositoryNames.IsValid(repository)) return DomainError.Invalid($"'{repository}' is not a repository name.", "repository");
        if (!RepositoryNames.IsValidTag(tag)) return DomainError.Invalid($"'{tag}' is not a tag.", "tag");
        if (current?.Tags.GetValueOrDefault(tag) is { } known && known.Digest == digest) return Decision.Nothing;
        return Decision.Accept(new ImagePushed(IdFor(repository), workspaceId, workspaceName, repository, tag, digest, size, mediaType,
            string.IsNullOrWhiteSpace(pushedBy) ? "anonymous" : pushedBy, sourceAddress, notificationId, at));
    }

    /// <summary>
    /// The registry deletes a manifest by digest, with every tag pointing at it: each of those tags is a deletion,
    /// and says why when it was not the one asked for.
    /// </summary>
    public Decision DeleteTag(string tag, string? reason, ActorRef by, DateTimeOffset at)
    {
        if (!Tags.TryGetValue(tag, out var target)) return DomainError.NotFound($"No tag '{tag}' in {Name}.");
        var why = RemovalReason.Optional(reason);
        var events = Tags.Values.Where(t => t.Digest == target.Digest).OrderBy(t => t.Tag != tag).ThenBy(t => t.Tag, StringComparer.Ordinal)
            .Select(t => (object)new ImageTagDeleted(Id, WorkspaceId, Name, t.Tag, t.Digest,
                t.Tag == tag ? why ?? "deleted" : $"same image as {tag}" + (why is null ? "" : $": {why}"), by, at))
            .ToArray();
        return Decision.Accept(events);
    }

    public Decision ChangeRetention(int? keepLast, int? keepNewerThanDays, ActorRef by, DateTimeOffset at)
    {
        if (RetentionRule.Check(keepLast, keepNewerThanDays) is { } error) return error;
        var rule = keepLast is null && keepNewerThanDays is null ? null : new RetentionRule(keepLast, keepNewerThanDays);
        if (rule == Retention) return Decision.Nothing;
        return Decision.Accept(new RetentionRuleChanged(Id, WorkspaceId, Name, keepLast, keepNewerThanDays, by, at));
    }

    /// <summary>The scheduled run: one deletion per tag the rule no longer keeps, by the system.</summary>
    public Decision ApplyRetention(DateTimeOffset at)
    {
        if (Retention is null) return Decision.Nothing;
        var expired = Retention.Expired(Tags.Values, at);
        return Decision.Accept(expired.Select(t => (object)new ImageTagDeleted(Id, WorkspaceId, Name, t.Tag, t.Digest,
            "retention: " + Retention.Describe(), ActorRef.System, at)).ToArray());
    }

    /// <summary>The config read for a digest is recorded once, for the tags that still point at it.</summary>
    public Decision RecordInspection(string digest, DateTimeOffset? createdAt, string? platform, bool alreadyInspected, DateTimeOffset at)
    {
        var tags = Tags.Values.Where(t => t.Digest == digest).Select(t => t.Tag).Order(StringComparer.Ordinal).ToList();
        if (tags.Count == 0 || alreadyInspected) return Decision.Nothing;
        return Decision.Accept(new ImageInspected(Id, Name, digest, tags, createdAt, platform, at));
    }

    /// <summary>Whether the registry may lose the manifest: no tag points at it any more.</summary>
    public bool Unreferenced(string digest) => Tags.Values.All(t => t.Digest != digest);

    public static ImageRepository Create(ImagePushed e) =>
        new ImageRepository(e.RepositoryId, e.WorkspaceId, e.Repository, ImmutableDictionary<string, ImageTag>.Empty, null).Apply(e);

    public ImageRepository Apply(ImagePushed e) =>
        this with { WorkspaceId = e.WorkspaceId, Tags = Tags.SetItem(e.Tag, new ImageTag(e.Tag, e.Digest, e.Size, e.PushedBy, e.PushedAt)) };

    public ImageRepository Apply(ImageTagDeleted e) => this with { Tags = Tags.Remove(e.Tag) };

    public ImageRepository Apply(RetentionRuleChanged e) =>
        this with { Retention = e.KeepLast is null && e.KeepNewerThanDays is null ? null : new RetentionRule(e.KeepLast, e.KeepNewerThanDays) };

    public ImageRepository Apply(ImageInspected _) => this;

    /// <summary>Folds events just decided into the state, for several decisions in one session.</summary>
    public static ImageRepository? Fold(ImageRepository? state, IEnumerable<object> events)
    {
        foreach (var e in events)
            state = e switch
            {
                ImagePushed p => state is null ? Create(p) : state.Apply(p),
                ImageTagDeleted d => state?.Apply(d),
                RetentionRuleChanged r => state?.Apply(r),
                _ => state,
            };
        return state;
    }
}
