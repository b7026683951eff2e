using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.PullSecrets.Reconciling;
using Cocktail.Domain.Registries;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Wolverine;

namespace Cocktail.Application.PullSecrets.ChangingRegistries;

/// <summary>
/// New server, user name or secret for an external registry (a rotated token, say); what is left out stays. The pull
/// secrets in every service map are rewritten after.
/// </summary>
public sealed record ChangeExternalRegistry(Guid RegistryId, string? Server, string? UserName, [property: Secret] string? Password, long? ExpectedVersion = null)
    : IRequest<Accepted>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class ChangeExternalRegistryValidator : AbstractValidator<ChangeExternalRegistry>
{
    public ChangeExternalRegistryValidator()
    {
        RuleFor(x => x.UserName).NotEmpty().When(x => x.UserName is not null).WithMessage("Leave the user name out to keep it, or give one.");
        RuleFor(x => x.Password).NotEmpty().When(x => x.Password is not null).WithMessage("Leave the password out to keep it, or give one.");
        RuleFor(x => x.Password).MaximumLength(16384);
    }
}

public static class ChangeExternalRegistryHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeExternalRegistry command, Actor actor, IDocumentSession session, IDataProtectionProvider protection,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var found = await PullSecretsAccess.RegistryAsync(session, actor, command.RegistryId, manage: true, ct);
        if (found.Failure is { } refused) return refused;
        var stored = await session.LoadAsync<ExternalRegistrySecret>(command.RegistryId, ct);
        var current = stored?.Read(protection).Secret ?? "";
        var decided = await AggregateStreams.DecideAsync<ExternalRegistry>(session, command.RegistryId, command.ExpectedVersion,
            r => r.Change(command.Server, command.UserName, command.Password, current, actor.Ref, clock.GetUtcNow()), ExternalRegistry.NoSuchRegistry, ct);
        if (!decided.Succeeded) return decided;
        if (command.Password is not null && command.Password != current)
            session.Store(ExternalRegistrySecret.Of(command.RegistryId, found.Value!.WorkspaceId, new ExternalRegistryCredentials(command.Password), protection));
        await messages.PublishAsync(new ReconcilePullSecrets(found.Value!.WorkspaceId));
        return decided;
    }
}
