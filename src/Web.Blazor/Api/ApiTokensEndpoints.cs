using System.Text;
using Cocktail.Application.ApiTokens;
using Cocktail.Application.ApiTokens.Creating;
using Cocktail.Application.ApiTokens.Listing;
using Cocktail.Application.ApiTokens.Revoking;
using Cocktail.Application.Common;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record IssuedTokenResponse(Guid Id, string Name, [property: Secret] string Token, DateTimeOffset ExpiresAt)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>The ApiTokens capability: tokens for scripts, created, listed and revoked by their owners.</summary>
public static class ApiTokensEndpoints
{
    /// <summary>
    /// Trade a user name and password for an API token (for scripts). A signed-in caller may instead send just
    /// `name` and `expiresInDays` to create a token for themself.
    /// </summary>
    [WolverinePost("/api/v1/auth/tokens"), Tags("Auth")]
    [ProducesResponseType<IssuedTokenResponse>(201), ProducesResponseType(400), ProducesResponseType(401)]
    public static async Task<IResult> Issue(IssueApiToken? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var signedIn = caller.UserId is not null && string.IsNullOrEmpty(body.UserName) && string.IsNullOrEmpty(body.Password);
        var issued = signedIn
            ? await dispatcher.SendAsync(new CreateApiToken(body.Name, body.ExpiresInDays), caller, ct)
            : await dispatcher.SendAsync(body, caller, ct);
        return issued.Succeeded
            ? Results.Created($"/api/v1/auth/tokens/{issued.Value!.Id}",
                new IssuedTokenResponse(issued.Value.Id, issued.Value.Name, issued.Value.Token, issued.Value.ExpiresAt))
            : ApiResults.Problem(issued.Failure!);
    }

    [WolverineGet("/api/v1/auth/tokens"), Tags("Auth")]
    [ProducesResponseType<IReadOnlyList<ApiTokenView>>(200)]
    public static async Task<IResult> List(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] Guid? userId) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListApiTokens(userId), http.ToCaller(), ct));

    [WolverineDelete("/api/v1/auth/tokens/{id}"), Tags("Auth")]
    [ProducesResponseType(204), ProducesResponseType(404)]
    public static async Task<IResult> Revoke(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason)
    {
        var result = await dispatcher.SendAsync(new RevokeApiToken(id, reason), http.ToCaller(), ct);
        return result.Succeeded ? Results.NoContent() : ApiResults.Problem(result.Failure!);
    }
}
