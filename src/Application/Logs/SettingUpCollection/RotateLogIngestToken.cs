using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.Logs.Receiving;
using Cocktail.Domain.Users;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.SettingUpCollection;

/// <summary>
/// Gives a cluster a new log token: its first, or one replacing the current one, which is refused from then on. The
/// answer is the only time the token is shown (with the Secret manifest carrying it); Cocktail keeps its hash.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin)]
[Writes] // answers the set-up with the token, not Accepted
public sealed record RotateLogIngestToken(Guid ClusterId, string BaseUrl) : IRequest<LogCollectorSetUp>;

public static class RotateLogIngestTokenHandler
{
    public static async Task<Result<LogCollectorSetUp>> Handle(RotateLogIngestToken command, Actor actor, IDocumentSession session,
        IOptions<OtlpOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var replaced = await session.LoadAsync<ClusterLogToken>(cluster.Id, ct) is not null;
        var token = LogIngestTokens.New();
        var now = clock.GetUtcNow();
        session.Store(new ClusterLogToken { Id = cluster.Id, TokenHash = LogIngestTokens.Hash(token), CreatedAt = now });
        session.Events.Append(cluster.Id, new LogIngestTokenCreated(cluster.Id, cluster.Name, replaced, actor.Ref, now));
        return GetLogCollectorSetUpHandler.SetUp(cluster, command.BaseUrl, options.Value, now) with
        {
            Token = token, SecretManifest = CollectorManifests.Secret(token),
        };
    }
}
