using Cocktail.Application.Users.Searching;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public static class UserSearchEndpoints
{
    /// <summary>Any signed-in user finds colleagues by name (at least two characters): id, user name and display name only.</summary>
    [WolverineGet("/api/v1/users/search"), Tags("Users")]
    [ProducesResponseType<IReadOnlyList<UserSummary>>(200), ProducesResponseType(400), ProducesResponseType(401)]
    public static async Task<IResult> Search(HttpContext http, Cocktail.Application.Common.RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? search) =>
        ApiResults.Ok(await dispatcher.SendAsync(new SearchUsers(search), http.ToCaller(), ct));
}
