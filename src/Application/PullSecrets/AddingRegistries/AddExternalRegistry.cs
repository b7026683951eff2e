using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.PullSecrets.Reconciling;
using Cocktail.Domain.Registries;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Wolverine;

namespace Cocktail.Application.PullSecrets.AddingRegistries;

/// <summary>
/// Adds a registry the workspace's service maps pull from; each of their namespaces gets a pull secret for it, which
/// the namespace's default ServiceAccount names. <see cref="Password"/> is the password or token (ECR: the secret
/// access key; Google: the JSON key) and is never answered back.
/// </summary>
public sealed record AddExternalRegistry(Guid WorkspaceId, string? Name, string? Kind, string? Server, string? UserName, [property: Secret] string? Password)
    : IRequest<Accepted>
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class AddExternalRegistryValidator : AbstractValidator<AddExternalRegistry>
{
    public AddExternalRegistryValidator()
    {
        RuleFor(x => x.Name).Must(ExternalRegistryRules.IsValidName).WithMessage("The name is " + ExternalRegistryRules.NameRule + ".");
        RuleFor(x => x.Kind).Must(k => ExternalRegistryInput.Kind(k) is not null).WithMessage(ExternalRegistryInput.KindRule);
        RuleFor(x => x).Custom((x, context) =>
        {
            if (ExternalRegistryInput.Kind(x.Kind) is not { } kind) return;
            if (ExternalRegistryRules.Check(kind, ExternalRegistryRules.Server(kind, x.Server), x.UserName, x.Password) is { } refused)
                context.AddFailure(refused.Field ?? "", refused.Message);
        });
    }
}

public static class AddExternalRegistryHandler
{
    public static async Task<Result<Accepted>> Handle(AddExternalRegistry command, Actor actor, IDocumentSession session, IDataProtectionProvider protection,
        IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        var workspace = await PullSecretsAccess.WorkspaceAsync(session, actor, command.WorkspaceId, manage: true, ct);
        if (workspace.Failure is { } refused) return refused;
        var name = command.Name!;
        if (await session.Query<ExternalRegistryView>().AnyAsync(r => r.WorkspaceId == command.WorkspaceId && r.Name == name && !r.Removed, ct))
            return new Failure(FailureKind.Conflict, $"An external registry named '{name}' exists already.",
                new Dictionary<string, string[]> { ["name"] = [$"An external registry named '{name}' exists already."] });

        var id = Guid.CreateVersion7();
        var decision = ExternalRegistry.Add(id, command.WorkspaceId, workspace.Value!.Name, name, ExternalRegistryInput.Kind(command.Kind)!.Value, command.Server,
            command.UserName!, command.Password!, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<ExternalRegistry>(id, decision.Events.ToArray());
        session.Store(ExternalRegistrySecret.Of(id, command.WorkspaceId, new ExternalRegistryCredentials(command.Password!), protection));
        await messages.PublishAsync(new ReconcilePullSecrets(command.WorkspaceId));
        return new Accepted(id, decision.Events.Count);
    }
}

public static class ExternalRegistryInput
{
    public static readonly string KindRule = "The kind is one of " + string.Join(", ", Enum.GetNames<ExternalRegistryKind>()) + ".";

    public static ExternalRegistryKind? Kind(string? kind) =>
        Enum.TryParse<ExternalRegistryKind>(kind, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(kind, out _) ? parsed : null;
}
