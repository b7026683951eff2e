using Marten;
using Wolverine;

namespace Cocktail.Application.Common;

/// <summary>Gives handlers that ask for an <see cref="Actor"/> the one their envelope carries.</summary>
public static class ActorMiddleware
{
    public static Actor Before(Envelope envelope) => ActorHeaders.Read(envelope);
}

/// <summary>
/// Stamps every event a handler appends with who did it and from where (Marten's user name and header columns);
/// correlation and causation ids are set by Wolverine's Marten integration from the envelope.
/// </summary>
public static class EventMetadataMiddleware
{
    public static void Before(Envelope envelope, IDocumentSession session)
    {
        var actor = ActorHeaders.Read(envelope);
        session.LastModifiedBy = actor.UserName;
        session.SetHeader("actorId", actor.UserId);
        if (actor.SourceIp is not null) session.SetHeader("sourceIp", actor.SourceIp);
        if (actor.UserAgent is not null) session.SetHeader("userAgent", actor.UserAgent);
    }
}
