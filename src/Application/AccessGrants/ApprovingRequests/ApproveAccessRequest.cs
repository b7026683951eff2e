using Cocktail.Application.AccessGrants.Granting;
using Cocktail.Application.Common;
using Cocktail.Domain.Access;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.AccessGrants.ApprovingRequests;

/// <summary>Approving creates the grant, from <c>ValidFrom</c> (now when left out) for the duration asked for.</summary>
public sealed record ApproveAccessRequest(Guid RequestId, DateTimeOffset? ValidFrom = null) : IRequest<Accepted>;

public static class ApproveAccessRequestHandler
{
    public static async Task<Result<Accepted>> Handle(ApproveAccessRequest command, Actor actor, IDocumentSession session, IMessageContext messages,
        IOptions<AccessOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<AccessRequest>(command.RequestId, ct);
        var view = await session.LoadAsync<AccessRequestView>(command.RequestId, ct);
        if (stream.Aggregate is not { } request || view is null || !await AccessRequestDeciders.CanDecideAsync(actor, view, session, ct))
            return Failure.NotFound("No such access request.");

        var now = clock.GetUtcNow();
        var grantId = Guid.CreateVersion7();
        var approval = request.Approve(grantId, actor.Ref, now);
        if (approval.Error is { } refused) return refused;

        var validFrom = command.ValidFrom ?? now;
        var grant = new GrantAccess(request.UserId, request.ClusterId, request.Scope, request.ServiceMapId, request.Role, validFrom,
            request.GrantEndsAt(validFrom), request.Reason);
        var issued = await AccessGrantIssuer.IssueAsync(grantId, grant, request.Id, actor, session, messages, options.Value, now, ct);
        if (!issued.Succeeded) return issued;
        stream.AppendMany(approval.Events.ToArray());
        return issued;
    }
}
