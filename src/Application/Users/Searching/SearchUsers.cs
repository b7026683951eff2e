using Cocktail.Application.Common;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Users.Searching;

/// <summary>What a member needs to pick a colleague (adding a member, granting access): who, not their role or lock state.</summary>
public sealed record UserSummary(Guid Id, string UserName, string DisplayName);

/// <summary>
/// Active users whose user name or display name contains the text, at most <see cref="MaxResults"/>. Any signed-in
/// user may search, with at least <see cref="MinLength"/> characters; the full list (<c>ListUsers</c>) is for
/// platform admins and auditors.
/// </summary>
public sealed record SearchUsers(string? Search) : IRequest<IReadOnlyList<UserSummary>>
{
    public const int MinLength = 2;
    public const int MaxResults = 20;
}

public sealed class SearchUsersValidator : AbstractValidator<SearchUsers>
{
    public SearchUsersValidator() => RuleFor(x => x.Search).MaximumLength(100);
}

public static class SearchUsersHandler
{
    public static async Task<Result<IReadOnlyList<UserSummary>>> Handle(SearchUsers query, IQuerySession session, CancellationToken ct)
    {
        var term = query.Search?.Trim().ToLowerInvariant() ?? "";
        if (term.Length < SearchUsers.MinLength) return Array.Empty<UserSummary>();
        var users = await session.Query<UserView>()
            .Where(u => u.Active && (u.UserName.Contains(term) || u.DisplayName.ToLower().Contains(term)))
            .OrderBy(u => u.UserName)
            .Take(SearchUsers.MaxResults)
            .ToListAsync(ct);
        return users.Select(u => new UserSummary(u.Id, u.UserName, u.DisplayName)).ToList();
    }
}
