using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Users.ChangingDisplayName;

[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record ChangeDisplayName(Guid UserId, string DisplayName, long? ExpectedVersion = null) : IRequest<Accepted>;

public sealed class ChangeDisplayNameValidator : AbstractValidator<ChangeDisplayName>
{
    public ChangeDisplayNameValidator() => RuleFor(x => x.DisplayName).ValidDisplayName();
}

public static class ChangeDisplayNameHandler
{
    public static Task<Result<Accepted>> Handle(
        ChangeDisplayName command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        UserStreams.DecideAsync(session, command.UserId, command.ExpectedVersion,
            user => user.ChangeDisplayName(command.DisplayName, actor.Ref, clock.GetUtcNow()), ct);
}
