using Cocktail.Application.Common;
using Cocktail.Domain.Access;
using FluentValidation;
using Marten;

namespace Cocktail.Application.AccessGrants.RejectingRequests;

public sealed record RejectAccessRequest(Guid RequestId, string Reason) : IRequest<Accepted>;

public sealed class RejectAccessRequestValidator : AbstractValidator<RejectAccessRequest>
{
    public RejectAccessRequestValidator() => RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the request is rejected.").MaximumLength(1000);
}

public static class RejectAccessRequestHandler
{
    public static async Task<Result<Accepted>> Handle(RejectAccessRequest command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var view = await session.LoadAsync<AccessRequestView>(command.RequestId, ct);
        if (view is null || !await AccessRequestDeciders.CanDecideAsync(actor, view, session, ct)) return Failure.NotFound("No such access request.");
        return await AggregateStreams.DecideAsync<AccessRequest>(session, command.RequestId, null,
            r => r.Reject(command.Reason, actor.Ref, clock.GetUtcNow()), "No such access request.", ct);
    }
}
