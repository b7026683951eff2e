using Cocktail.Domain.Users;
using Wolverine;

namespace Cocktail.Application.Common;

/// <summary>
/// Carries the actor from the console or the API through Wolverine to the handler and into the event metadata,
/// as envelope headers so that it survives the outbox as well as an in-process invoke.
/// </summary>
public static class ActorHeaders
{
    public const string UserId = "cocktail-actor-id";
    public const string UserName = "cocktail-actor-name";
    public const string Role = "cocktail-actor-role";
    public const string SourceIp = "cocktail-source-ip";
    public const string UserAgent = "cocktail-user-agent";

    public static DeliveryOptions ToDeliveryOptions(Actor actor, string? correlationId)
    {
        var options = new DeliveryOptions();
        if (!string.IsNullOrEmpty(correlationId)) options.CorrelationId = correlationId;
        options.WithHeader(UserId, actor.UserId.ToString());
        options.WithHeader(UserName, actor.UserName);
        options.WithHeader(Role, actor.Role.ToString());
        if (actor.SourceIp is not null) options.WithHeader(SourceIp, actor.SourceIp);
        if (actor.UserAgent is not null) options.WithHeader(UserAgent, Truncate(actor.UserAgent, 512));
        return options;
    }

    /// <summary>Messages Cocktail sends itself (reconcilers, schedules) carry no actor headers: they run as the system.</summary>
    public static Actor Read(Envelope? envelope)
    {
        var headers = envelope?.Headers;
        if (headers is null || !headers.TryGetValue(UserId, out var id) || !Guid.TryParse(id, out var userId))
            return Actor.System;
        return new Actor(
            userId,
            headers.GetValueOrDefault(UserName) ?? "unknown",
            Enum.TryParse<PlatformRole>(headers.GetValueOrDefault(Role), out var role) ? role : PlatformRole.User,
            headers.GetValueOrDefault(SourceIp),
            headers.GetValueOrDefault(UserAgent));
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
