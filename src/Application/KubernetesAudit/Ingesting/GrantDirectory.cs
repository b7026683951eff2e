using System.Collections.Concurrent;
using Cocktail.Application.AccessGrants;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Domain.Access;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.KubernetesAudit.Ingesting;

/// <summary>
/// Tells which Cocktail user an audited Kubernetes identity belongs to: a grant's ServiceAccount
/// (system:serviceaccount:cocktail-access:grant-…) or a member's prefixed user name (cocktail:dana). Cached, since
/// every audit event asks.
/// </summary>
public sealed class GrantDirectory(IDocumentStore store, IOptions<KubernetesIdentityOptions> identity, TimeProvider clock)
{
    private const string AccountPrefix = "system:serviceaccount:" + AccessGrant.AccessNamespace + ":";
    private readonly ConcurrentDictionary<(Guid, string), (Guid?, string?, DateTimeOffset)> _accounts = new();
    private static readonly TimeSpan UnknownFor = TimeSpan.FromSeconds(30);

    /// <summary>Adds the grant and the Cocktail user to every event whose identity (the impersonated one, if any) is Cocktail's.</summary>
    public async Task<IReadOnlyList<ParsedAuditEvent>> EnrichAsync(Guid clusterId, IReadOnlyList<ParsedAuditEvent> events, CancellationToken ct)
    {
        var identities = new Dictionary<string, (Guid? GrantId, string? CocktailUser)>();
        foreach (var user in events.Select(e => e.Record.ImpersonatedUser ?? e.Record.User).Distinct())
            identities[user] = await IdentifyAsync(clusterId, user, ct);
        return events.Select(e =>
        {
            var (grantId, cocktailUser) = identities[e.Record.ImpersonatedUser ?? e.Record.User];
            return grantId is null && cocktailUser is null ? e : e with { Record = e.Record with { GrantId = grantId, CocktailUser = cocktailUser } };
        }).ToList();
    }

    public async Task<(Guid? GrantId, string? CocktailUser)> IdentifyAsync(Guid clusterId, string user, CancellationToken ct)
    {
        if (user.StartsWith(identity.Value.UserPrefix, StringComparison.Ordinal) && !user.StartsWith("system:", StringComparison.Ordinal))
            return (null, user[identity.Value.UserPrefix.Length..]);
        if (!user.StartsWith(AccountPrefix, StringComparison.Ordinal)) return (null, null);

        var account = user[AccountPrefix.Length..];
        var now = clock.GetUtcNow();
        if (_accounts.TryGetValue((clusterId, account), out var cached) && (cached.Item1 is not null || now - cached.Item3 < UnknownFor))
            return (cached.Item1, cached.Item2);

        await using var session = store.QuerySession();
        var grant = await session.Query<AccessGrantView>().FirstOrDefaultAsync(g => g.ClusterId == clusterId && g.ServiceAccount == account, ct);
        _accounts[(clusterId, account)] = (grant?.Id, grant?.UserName, now);
        return (grant?.Id, grant?.UserName);
    }
}
