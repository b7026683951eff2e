using Cocktail.Domain.Users;
using Marten;

namespace Cocktail.Application.Users;

/// <summary>Cocktail must always keep one active platform admin, or nobody could manage users again.</summary>
internal static class LastAdmins
{
    public static async Task<bool> IsOnlyActiveAdminAsync(IQuerySession session, Guid userId, CancellationToken ct)
    {
        var admins = await session.Query<UserView>()
            .Where(u => u.Active && u.Role == PlatformRole.PlatformAdmin)
            .Select(u => u.Id)
            .Take(2)
            .ToListAsync(ct);
        return admins.Count == 1 && admins[0] == userId;
    }
}
