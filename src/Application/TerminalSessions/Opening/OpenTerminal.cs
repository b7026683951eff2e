using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.TerminalSessions.Opening;

/// <summary>
/// May the caller open a shell in this pod, and how is its cluster reached? Developers and workspace admins in the
/// namespaces of their workspaces' service maps, platform admins anywhere; viewers, strangers and auditors never.
/// A command (<see cref="WritesAttribute"/>): a shell changes what runs in the cluster, so auditors are refused.
/// </summary>
[Writes]
public sealed record OpenTerminal(Guid ClusterId, string Namespace, string Pod, string Container, IReadOnlyList<string> Command)
    : IRequest<TerminalTarget>;

/// <summary>Where the terminal goes: the cluster's connection (secret) and what the session records about it.</summary>
public sealed record TerminalTarget(
    Guid ClusterId, string ClusterName, Guid? ServiceMapId, Guid? WorkspaceId, ActorRef OpenedBy, [property: Secret] ClusterConnection Connection)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed partial class OpenTerminalValidator : AbstractValidator<OpenTerminal>
{
    public const int MaxCommandWords = 32;
    public const int MaxWordLength = 1024;

    public OpenTerminalValidator()
    {
        RuleFor(x => x.ClusterId).NotEmpty().WithMessage("Name the cluster.");
        RuleFor(x => x.Namespace).Must(DnsLabel.IsValid).WithMessage($"Namespaces use {DnsLabel.Rule}.");
        RuleFor(x => x.Pod).Must(n => n is { Length: > 0 and <= 253 } && PodName().IsMatch(n))
            .WithMessage("Pod names use lowercase letters, digits, '-' and '.', at most 253 characters.");
        RuleFor(x => x.Container).Must(DnsLabel.IsValid).WithMessage($"Container names use {DnsLabel.Rule}.");
        RuleFor(x => x.Command).NotEmpty().WithMessage("Name the command (a shell such as /bin/sh).")
            .Must(c => c is null || c.Count <= MaxCommandWords).WithMessage($"At most {MaxCommandWords} words.");
        RuleForEach(x => x.Command).Must(w => w is { Length: > 0 and <= MaxWordLength } && !w.Contains('\0'))
            .WithMessage($"Each word of the command has 1 to {MaxWordLength} characters.");
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex PodName();
}

public static class OpenTerminalHandler
{
    public const string MembersOnly =
        "A terminal opens only in the namespaces of your workspaces' service maps, for Developers and WorkspaceAdmins (platform admins: anywhere).";

    public static async Task<Result<TerminalTarget>> Handle(OpenTerminal command, Actor actor, IQuerySession session, ICredentialVault vault,
        CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        var maps = await session.Query<ServiceMapView>()
            .Where(m => m.ClusterId == command.ClusterId && m.Namespace == command.Namespace).ToListAsync(ct);
        var map = maps.FirstOrDefault();
        if (!actor.IsPlatformAdmin)
        {
            var workspace = map is null ? null : await session.LoadAsync<WorkspaceView>(map.WorkspaceId, ct);
            if (cluster is null || workspace is null || !TenancyAccess.CanRead(actor, workspace)) return Failure.Forbidden(MembersOnly);
            if (!TenancyAccess.CanDeploy(actor, workspace))
                return Failure.Forbidden($"Your role in workspace '{workspace.Name}' does not open terminals: Developers and WorkspaceAdmins do.");
        }
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var credential = await session.LoadAsync<ClusterCredential>(command.ClusterId, ct);
        if (credential is null) return Failure.NotFound("The cluster is no longer registered.");
        return new TerminalTarget(cluster.Id, cluster.Name, map?.Id, map?.WorkspaceId, actor.Ref, vault.Unprotect(credential.Protected));
    }
}

/// <summary>Opens a pod's exec WebSocket on its cluster (implemented in Infrastructure with the cluster's credentials).</summary>
public interface IPodExec
{
    /// <summary>Offers v5.channel.k8s.io then v4.channel.k8s.io; the socket and the protocol the cluster chose, or why not.</summary>
    Task<PodExecConnection> OpenAsync(ClusterConnection cluster, string ns, string pod, string container, IReadOnlyList<string> command,
        CancellationToken ct);
}

public sealed record PodExecConnection(WebSocket? Socket, string? Protocol, string? Refusal)
{
    public static PodExecConnection Refused(string why) => new(null, null, why);
}
