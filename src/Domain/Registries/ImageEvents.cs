using Cocktail.Domain.Common;

namespace Cocktail.Domain.Registries;

/// <summary>
/// The registry reported a manifest pushed under a tag (its notification webhook). <c>PushedBy</c> is the registry
/// token's subject (a user or a robot account); <c>SourceAddress</c> the client's address as the registry saw it;
/// <c>NotificationId</c> the registry's event id, so a retried notification is recognised.
/// </summary>
public sealed record ImagePushed(
    Guid RepositoryId, Guid WorkspaceId, string WorkspaceName, string Repository, string Tag, string Digest, long Size, string MediaType,
    string PushedBy, string? SourceAddress, string NotificationId, DateTimeOffset PushedAt);

/// <summary>Cocktail read the image's config from the registry: when it was built and for which platform (null for an index).</summary>
public sealed record ImageInspected(
    Guid RepositoryId, string Repository, string Digest, IReadOnlyList<string> Tags, DateTimeOffset? CreatedAt, string? Platform, DateTimeOffset InspectedAt);

/// <summary>
/// A tag is gone: a person deleted it (or another tag of the same image, since the registry deletes a manifest with
/// all its tags) or the repository's retention rule did (<c>DeletedBy</c> is the system then). The manifest is
/// removed from the registry after this is recorded.
/// </summary>
public sealed record ImageTagDeleted(
    Guid RepositoryId, Guid WorkspaceId, string Repository, string Tag, string Digest, string Reason, ActorRef DeletedBy, DateTimeOffset DeletedAt);

/// <summary>The repository's retention rule: keep the last <c>KeepLast</c> tags and those newer than <c>KeepNewerThanDays</c>; both null removes it.</summary>
public sealed record RetentionRuleChanged(
    Guid RepositoryId, Guid WorkspaceId, string Repository, int? KeepLast, int? KeepNewerThanDays, ActorRef ChangedBy, DateTimeOffset ChangedAt);
