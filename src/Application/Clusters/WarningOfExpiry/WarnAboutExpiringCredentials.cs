using Cocktail.Domain.Clusters;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine.Attributes;

namespace Cocktail.Application.Clusters.WarningOfExpiry;

public sealed class ClusterOptions
{
    public const string Section = "Cocktail:Clusters";

    /// <summary>How long before a cluster credential expires Cocktail warns (an event and a warning on the page).</summary>
    public TimeSpan CredentialWarning { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>Run at start-up and every hour: warns once about each credential that expires within the warning time.</summary>
[MessageIdentity("Cocktail.Application.Clusters.Expiry.WarnAboutExpiringCredentials")]
public sealed record WarnAboutExpiringCredentials;

public static class WarnAboutExpiringCredentialsHandler
{
    public static async Task Handle(WarnAboutExpiringCredentials _, IDocumentSession session, IOptions<ClusterOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var horizon = now + options.Value.CredentialWarning;
        var expiring = await session.Query<ClusterView>()
            .Where(c => !c.CredentialExpiryWarning && c.CredentialExpiresAt != null && c.CredentialExpiresAt <= horizon)
            .Select(c => c.Id)
            .ToListAsync(ct);
        foreach (var id in expiring)
        {
            var stream = await session.Events.FetchForWriting<Cluster>(id, ct);
            if (stream.Aggregate is { } cluster)
                stream.AppendMany(cluster.WarnIfCredentialExpiring(options.Value.CredentialWarning, now).Events.ToArray());
        }
    }
}
