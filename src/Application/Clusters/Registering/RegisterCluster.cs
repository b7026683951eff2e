using System.Text;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Common;
using Cocktail.Domain.Users;
using FluentValidation;
using Marten;
using Wolverine;

namespace Cocktail.Application.Clusters.Registering;

/// <summary>
/// Registers a cluster Cocktail already can reach: it first reads the server version and the node list with the
/// credentials given, and registers nothing when that fails.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
public sealed record RegisterCluster(
    string Name, ClusterProvider Provider, string? Region = null, Dictionary<string, string>? Labels = null,
    [property: Secret] string? Kubeconfig = null, string? Context = null, string? Server = null,
    string? CertificateAuthorityData = null, [property: Secret] string? Token = null, string? ClientCertificateData = null,
    [property: Secret] string? ClientKeyData = null)
    : IRequest<Accepted>, IConnectionInput
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed class RegisterClusterValidator : AbstractValidator<RegisterCluster>
{
    public RegisterClusterValidator()
    {
        RuleFor(x => x.Name).ValidClusterName();
        RuleFor(x => x.Provider).IsInEnum().WithMessage($"Provider is one of {string.Join(", ", Enum.GetNames<ClusterProvider>())}.");
        RuleFor(x => x.Region).MaximumLength(63);
        RuleFor(x => x.Labels).ValidLabels();
        this.AddConnectionRules();
    }
}

/// <summary>Tells the inventory to start, restart or stop watching a cluster, once the change is committed.</summary>
public sealed record ClusterConnectionChanged(Guid ClusterId);

public static class RegisterClusterHandler
{
    public static async Task<Result<Accepted>> Handle(RegisterCluster command, Actor actor, IDocumentSession session,
        IKubeconfigReader kubeconfigs, IClusterGateway gateway, ICredentialVault vault, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        // The name is checked before the credentials are read, as before the registration core was shared.
        if (await ClusterRegistration.NameTakenAsync(session, command.Name, ct)) return ClusterRegistration.NameTaken(command.Name);
        return await ClusterRegistration.RegisterAsync(
            new ClusterRegistration.Request(command.Name, command.Provider, command.Region, command.Labels ?? []),
            command.ToConnection(kubeconfigs), actor.Ref, session, gateway, vault, messages, clock, ct);
    }
}

/// <summary>
/// The one way a cluster becomes registered, whoever asks: an admin (<see cref="RegisterCluster"/>) or Cocktail itself
/// for a cluster it provisioned through Cluster API (as the system actor). The name is free, the cluster answers with
/// the credentials, then the Cluster aggregate decides and its credential is stored encrypted.
/// </summary>
public static class ClusterRegistration
{
    public sealed record Request(string Name, ClusterProvider Provider, string? Region, IReadOnlyDictionary<string, string> Labels);

    public static Task<bool> NameTakenAsync(IQuerySession session, string name, CancellationToken ct) =>
        session.Query<ClusterView>().AnyAsync(c => c.Name == name, ct);

    public static Failure NameTaken(string name) =>
        new(FailureKind.Conflict, $"A cluster named '{name}' is registered already.",
            new Dictionary<string, string[]> { ["name"] = [$"A cluster named '{name}' is registered already."] });

    public static async Task<Result<Accepted>> RegisterAsync(Request request, Result<ClusterConnection> connection, ActorRef by,
        IDocumentSession session, IClusterGateway gateway, ICredentialVault vault, IMessageContext messages, TimeProvider clock, CancellationToken ct)
    {
        if (await NameTakenAsync(session, request.Name, ct)) return NameTaken(request.Name);
        if (connection.Failure is { } invalid) return invalid;
        var (probe, problem) = await gateway.ProbeAsync(connection.Value!, ct);
        if (problem is not null) return problem.ToFailure();

        var id = Guid.CreateVersion7();
        var decision = Cluster.Register(id, request.Name, request.Provider, request.Region?.Trim(), request.Labels.ToDictionary(),
            connection.Value!.Server, connection.Value.Kind, CredentialExpiry.Of(connection.Value), probe!.KubernetesVersion,
            probe.NodeCount, by, clock.GetUtcNow());
        if (decision.Error is { } error) return error;

        session.Events.StartStream<Cluster>(id, decision.Events.ToArray());
        session.Store(new ClusterCredential { Id = id, Protected = vault.Protect(connection.Value) });
        await messages.PublishAsync(new ClusterConnectionChanged(id));
        return new Accepted(id, decision.Events.Count);
    }
}
