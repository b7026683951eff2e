using Cocktail.Application.Common;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.QuotaRequests.Rejecting;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record RejectQuotaRequest(Guid RequestId, string Reason) : IRequest<Accepted>;

public sealed class RejectQuotaRequestValidator : AbstractValidator<RejectQuotaRequest>
{
    public RejectQuotaRequestValidator() => RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the request is rejected.").MaximumLength(1000);
}

public static class RejectQuotaRequestHandler
{
    public static Task<Result<Accepted>> Handle(RejectQuotaRequest command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        AggregateStreams.DecideAsync<QuotaRequest>(session, command.RequestId, null,
            r => r.Reject(command.Reason, actor.Ref, clock.GetUtcNow()), "No such quota request.", ct);
}
