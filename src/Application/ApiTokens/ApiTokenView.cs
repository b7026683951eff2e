using Cocktail.Domain.ApiTokens;

namespace Cocktail.Application.ApiTokens;

public sealed class ApiTokenView
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string UserName { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The first characters of the secret, so a user can tell their tokens apart.</summary>
    public string Prefix { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;

    public static ApiTokenView Create(ApiTokenCreated e) => new()
    {
        Id = e.TokenId, UserId = e.UserId, UserName = e.UserName, Name = e.Name, Prefix = e.Prefix,
        CreatedAt = e.CreatedAt, ExpiresAt = e.ExpiresAt,
    };

    public void Apply(ApiTokenRevoked e) => RevokedAt = e.RevokedAt;
}

/// <summary>Maps the SHA-256 of a token's secret to the token. Not projected: the secret never enters the event store.</summary>
public sealed class ApiTokenSecret
{
    public string Id { get; set; } = "";
    public Guid TokenId { get; set; }
    public Guid UserId { get; set; }
}
