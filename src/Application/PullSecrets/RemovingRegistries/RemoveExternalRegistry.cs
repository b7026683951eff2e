using Cocktail.Application.Common;
using Cocktail.Application.PullSecrets.Reconciling;
using Cocktail.Domain.Common;
using Cocktail.Domain.Registries;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.PullSecrets.RemovingRegistries;

/// <summary>Removes an external registry and forgets its secret; its pull secrets leave every service map namespace.</summary>
public sealed record RemoveExternalRegistry(Guid RegistryId, string? Reason = null) : IRequest<Accepted>;

public sealed class RemoveExternalRegistryValidator : AbstractValidator<RemoveExternalRegistry>
{
    public RemoveExternalRegistryValidator() => RuleFor(x => x.Reason).MaximumLength(RemovalReason.MaxLength);
}

public static class RemoveExternalRegistryHandler
{
    public static async Task<Result<Accepted>> Handle(RemoveExternalRegistry command, Actor actor, IDocumentSession session, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var found = await PullSecretsAccess.RegistryAsync(session, actor, command.RegistryId, manage: true, ct);
        if (found.Failure is { } refused) return refused;
        var decided = await AggregateStreams.DecideAsync<ExternalRegistry>(session, command.RegistryId, null,
            r => r.Remove(actor.Ref, clock.GetUtcNow(), command.Reason), ExternalRegistry.NoSuchRegistry, ct);
        if (!decided.Succeeded) return decided;
        session.Delete<ExternalRegistrySecret>(command.RegistryId);
        session.Delete<EcrTokenCache>(command.RegistryId);
        await messages.PublishAsync(new ReconcilePullSecrets(found.Value!.WorkspaceId));
        return decided;
    }
}
