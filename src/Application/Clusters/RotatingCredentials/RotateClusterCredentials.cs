using System.Text;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.Registering;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Clusters.RotatingCredentials;

/// <summary>Replaces a cluster's credentials; the new ones must work before the old ones are dropped.</summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record RotateClusterCredentials(
    Guid ClusterId, [property: Secret] string? Kubeconfig = null, string? Context = null, string? Server = null,
    string? CertificateAuthorityData = null, [property: Secret] string? Token = null, string? ClientCertificateData = null,
    [property: Secret] string? ClientKeyData = null) : IRequest<Accepted>, IConnectionInput
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class RotateClusterCredentialsValidator : AbstractValidator<RotateClusterCredentials>
{
    public RotateClusterCredentialsValidator() => this.AddConnectionRules();
}

public static class RotateClusterCredentialsHandler
{
    public static async Task<Result<Accepted>> Handle(RotateClusterCredentials command, Actor actor, IDocumentSession session,
        IKubeconfigReader kubeconfigs, IClusterGateway gateway, ICredentialVault vault, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var connection = command.ToConnection(kubeconfigs);
        if (connection.Failure is { } invalid) return invalid;
        if (await session.LoadAsync<ClusterView>(command.ClusterId, ct) is null)
            return Failure.NotFound("No such cluster.");
        var (_, problem) = await gateway.ProbeAsync(connection.Value!, ct);
        if (problem is not null) return problem.ToFailure();

        var result = await AggregateStreams.DecideAsync<Cluster>(session, command.ClusterId, null,
            cluster => cluster.RotateCredentials(connection.Value!.Server, connection.Value.Kind,
                CredentialExpiry.Of(connection.Value), actor.Ref, clock.GetUtcNow()), "No such cluster.", ct);
        if (!result.Succeeded) return result;

        session.Store(new ClusterCredential { Id = command.ClusterId, Protected = vault.Protect(connection.Value!) });
        await messages.PublishAsync(new ClusterConnectionChanged(command.ClusterId));
        return result;
    }
}
