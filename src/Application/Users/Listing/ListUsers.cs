using Cocktail.Application.Common;
using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users.Listing;

public enum UserSort { UserName, DisplayName, Role, CreatedAt }

/// <summary>
/// Every user with role and lock state: platform admins and auditors only. Members pick colleagues with
/// <c>SearchUsers</c>, which answers names alone.
/// </summary>
[RequiresRole(PlatformRole.PlatformAdmin, PlatformRole.Auditor)]
public sealed record ListUsers(
    string? Search = null, PlatformRole? Role = null, bool? Active = null,
    UserSort SortBy = UserSort.UserName, bool Descending = false, int Page = 1, int PageSize = 25) : IRequest<Page<UserView>>;

public static class ListUsersHandler
{
    public static async Task<Result<Page<UserView>>> Handle(ListUsers query, IQuerySession session, CancellationToken ct)
    {
        IQueryable<UserView> users = session.Query<UserView>();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
            users = users.Where(u => u.UserName.Contains(term) || u.DisplayName.ToLower().Contains(term));
        }
        if (query.Role is { } role) users = users.Where(u => u.Role == role);
        if (query.Active is { } active) users = users.Where(u => u.Active == active);

        users = (query.SortBy, query.Descending) switch
        {
            (UserSort.DisplayName, false) => users.OrderBy(u => u.DisplayName),
            (UserSort.DisplayName, true) => users.OrderByDescending(u => u.DisplayName),
            (UserSort.Role, false) => users.OrderBy(u => u.Role).ThenBy(u => u.UserName),
            (UserSort.Role, true) => users.OrderByDescending(u => u.Role).ThenBy(u => u.UserName),
            (UserSort.CreatedAt, false) => users.OrderBy(u => u.CreatedAt),
            (UserSort.CreatedAt, true) => users.OrderByDescending(u => u.CreatedAt),
            (_, false) => users.OrderBy(u => u.UserName),
            (_, true) => users.OrderByDescending(u => u.UserName),
        };
        return await Paging.ToPageAsync(users, query.Page, query.PageSize, ct);
    }
}

/// <summary>A user's whole record: platform admins and auditors see anyone's, everyone else only their own.</summary>
public sealed record GetUser(Guid UserId) : IRequest<UserView>;

public static class GetUserHandler
{
    public static async Task<Result<UserView>> Handle(GetUser query, Actor actor, IQuerySession session, CancellationToken ct) =>
        (actor.CanReadEverything || actor.UserId == query.UserId || actor.IsSystem) && await session.LoadAsync<UserView>(query.UserId, ct) is { } user
            ? user
            : Failure.NotFound("No such user.");
}
