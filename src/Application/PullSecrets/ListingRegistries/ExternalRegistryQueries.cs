using Cocktail.Application.Common;
using Marten;

namespace Cocktail.Application.PullSecrets.ListingRegistries;

/// <summary>A workspace's external registries, by name; never their secrets.</summary>
public sealed record ListExternalRegistries(Guid WorkspaceId) : IRequest<IReadOnlyList<ExternalRegistryView>>;

public sealed record GetExternalRegistry(Guid RegistryId) : IRequest<ExternalRegistryView>;

public static class ListExternalRegistriesHandler
{
    public static async Task<Result<IReadOnlyList<ExternalRegistryView>>> Handle(ListExternalRegistries query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        var workspace = await PullSecretsAccess.WorkspaceAsync(session, actor, query.WorkspaceId, manage: false, ct);
        if (workspace.Failure is { } refused) return refused;
        var registries = await session.Query<ExternalRegistryView>()
            .Where(r => r.WorkspaceId == query.WorkspaceId && !r.Removed).OrderBy(r => r.Name).ToListAsync(ct);
        return Result<IReadOnlyList<ExternalRegistryView>>.Ok(registries);
    }
}

public static class GetExternalRegistryHandler
{
    public static Task<Result<ExternalRegistryView>> Handle(GetExternalRegistry query, Actor actor, IQuerySession session, CancellationToken ct) =>
        PullSecretsAccess.RegistryAsync(session, actor, query.RegistryId, manage: false, ct);
}
