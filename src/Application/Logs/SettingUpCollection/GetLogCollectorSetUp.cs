using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.Logs.Receiving;
using Cocktail.Domain.Users;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.SettingUpCollection;

/// <summary>
/// The collector set-up for a cluster's Logs tab: endpoint, manifests and whether a token exists (never the token:
/// <see cref="RotateLogIngestToken"/> shows it once). Only reads.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record GetLogCollectorSetUp(Guid ClusterId, string BaseUrl) : IRequest<LogCollectorSetUp>;

public static class GetLogCollectorSetUpHandler
{
    public static async Task<Result<LogCollectorSetUp>> Handle(GetLogCollectorSetUp query, IQuerySession session, IOptions<OtlpOptions> options,
        CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(query.ClusterId, ct);
        if (cluster is null) return Failure.NotFound("No such cluster.");
        var token = await session.LoadAsync<ClusterLogToken>(cluster.Id, ct);
        return SetUp(cluster, query.BaseUrl, options.Value, token?.CreatedAt);
    }

    internal static LogCollectorSetUp SetUp(ClusterView cluster, string requestBaseUrl, OtlpOptions options, DateTimeOffset? tokenCreatedAt)
    {
        var endpoint = CollectorManifests.Endpoint(options.PublicUrl ?? requestBaseUrl);
        return new LogCollectorSetUp(cluster.Id, cluster.Name, endpoint, tokenCreatedAt is not null, tokenCreatedAt,
            CollectorManifests.For(endpoint, cluster.Name, options.CollectorImage), CollectorManifests.SecretCommand);
    }
}
