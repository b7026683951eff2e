using System.Text;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Access;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.AccessGrants.DownloadingKubeconfigs;

/// <summary>
/// A kubeconfig for a grant, with a fresh token from the cluster's TokenRequest API that expires no later than the
/// grant. Only the grantee and platform admins get one; every download is an event.
/// </summary>
[Writes]
public sealed record IssueKubeconfig(Guid GrantId) : IRequest<IssuedKubeconfig>;

public sealed record IssuedKubeconfig(string FileName, [property: Secret] string Kubeconfig, DateTimeOffset TokenExpiresAt)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public static class IssueKubeconfigHandler
{
    public static async Task<Result<IssuedKubeconfig>> Handle(IssueKubeconfig command, Actor actor, IDocumentSession session,
        IAccessGrantApplier applier, IKubeconfigWriter writer, ICredentialVault vault, IOptions<AccessOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var view = await AccessGrantAccess.LoadAsync(actor, command.GrantId, session, ct);
        if (view.Failure is { } failure) return failure;
        if (view.Value!.UserId != actor.UserId && !actor.IsPlatformAdmin)
            return Failure.Forbidden("Only the grantee and platform admins download this grant's kubeconfig.");

        var stream = await session.Events.FetchForWriting<AccessGrant>(command.GrantId, ct);
        var now = clock.GetUtcNow();
        var (lifetime, refused) = stream.Aggregate!.TokenLifetime(options.Value.MaxTokenLifetime, now);
        if (refused is not null) return refused;
        var credential = await session.LoadAsync<ClusterCredential>(view.Value.ClusterId, ct);
        if (credential is null) return Failure.Conflict("The cluster is no longer registered.");

        var cluster = vault.Unprotect(credential.Protected);
        var (token, outcome) = await applier.RequestTokenAsync(cluster, GrantManifests.For(view.Value), lifetime!.Value, ct);
        if (token is null)
            return Failure.Conflict(outcome.Result == ApplyResult.Unreachable
                ? "The cluster does not answer; try again when it is back."
                : $"The cluster refused a token: {outcome.Message}");

        stream.AppendMany(stream.Aggregate.IssueKubeconfig(token.ExpiresAt, actor.Ref, now).Events.ToArray());
        var yaml = writer.Write(view.Value.ClusterName, cluster, $"{view.Value.UserName}@{view.Value.ClusterName}", token.Token, view.Value.Namespace);
        return new IssuedKubeconfig($"{view.Value.ClusterName}-{view.Value.UserName}.kubeconfig", yaml, token.ExpiresAt);
    }
}
