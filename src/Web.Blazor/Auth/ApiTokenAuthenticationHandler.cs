using System.Text.Encodings.Web;
using Cocktail.Application.ApiTokens;
using Cocktail.Application.ApiTokens.Authenticating;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Cocktail.Web.Auth;

/// <summary>`Authorization: Bearer ckt_...` for scripts and automation.</summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiTokenAuthenticator authenticator, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        // Other bearer secrets (a cluster's audit webhook secret, cka_...) are checked by their own endpoints: not ours to
        // fail, look up or log once per audit batch.
        if (!token.StartsWith(ApiTokenSecrets.Scheme, StringComparison.Ordinal)) return AuthenticateResult.NoResult();
        var user = await authenticator.AuthenticateAsync(token, Context.RequestAborted);
        if (user is null) return AuthenticateResult.Fail("The API token is not valid, has expired or was revoked.");
        var principal = CocktailClaims.Principal(user, SchemeName, clock.GetUtcNow());
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized",
            "Send a valid API token: Authorization: Bearer <token>.");
}
