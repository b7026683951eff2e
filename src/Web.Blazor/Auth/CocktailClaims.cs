using System.Security.Claims;
using Cocktail.Application.Users;
using Cocktail.Application.Users.SigningIn;

namespace Cocktail.Web.Auth;

public static class CocktailClaims
{
    public const string SignedInAt = "cocktail:signed-in-at";

    public static ClaimsPrincipal Principal(SignedInUser user, string scheme, DateTimeOffset signedInAt) =>
        Principal(user.Id, user.UserName, user.DisplayName, user.Role.ToString(), scheme, signedInAt);

    public static ClaimsPrincipal Principal(UserView user, string scheme, DateTimeOffset signedInAt) =>
        Principal(user.Id, user.UserName, user.DisplayName, user.Role.ToString(), scheme, signedInAt);

    private static ClaimsPrincipal Principal(Guid id, string userName, string displayName, string role, string scheme, DateTimeOffset at) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, id.ToString()),
            new Claim(ClaimTypes.Name, userName),
            new Claim(ClaimTypes.GivenName, displayName),
            new Claim(ClaimTypes.Role, role),
            new Claim(SignedInAt, at.ToUnixTimeSeconds().ToString()),
        ], scheme));

    public static Guid? UserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
}
