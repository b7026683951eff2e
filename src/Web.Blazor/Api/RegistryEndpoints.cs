using System.Net.Http.Headers;
using System.Text;
using Cocktail.Application.Registries;
using Cocktail.Application.Registries.IssuingTokens;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>The token response of the Docker Registry v2 token specification (both names of the token, as clients differ).</summary>
public sealed record RegistryTokenResponse(
    [property: Application.Common.Secret, System.Text.Json.Serialization.JsonPropertyName("token")] string Token,
    [property: Application.Common.Secret, System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn,
    [property: System.Text.Json.Serialization.JsonPropertyName("issued_at")] DateTimeOffset IssuedAt)
{
    private bool PrintMembers(StringBuilder builder) => Application.Common.Redaction.PrintMembers(this, builder);
}

/// <summary>The registry capability: Cocktail is the token server of the workspace registry.</summary>
public static class RegistryEndpoints
{
    public const string RealmPath = "/api/v1/registry/token";

    /// <summary>
    /// The token realm (Docker Registry v2 token authentication): `service`, `scope` (repeatable), `account`,
    /// `offline_token`, with Basic credentials (a Cocktail user name and password or API token, or a robot account) or
    /// none (a token without access). Scopes the caller may not have are left out of the token, so the registry refuses
    /// them.
    /// </summary>
    [WolverineGet(RealmPath), Tags("Registry")]
    [ProducesResponseType<RegistryTokenResponse>(200), ProducesResponseType(400), ProducesResponseType(401)]
    public static async Task<IResult> Token(HttpContext http, RegistryTokenRealm realm, CancellationToken ct)
    {
        var query = http.Request.Query;
        var (userName, password) = BasicCredentials(http.Request);
        if (userName is null && IsBasic(http.Request))
            return Unauthorized(http, "The Basic credentials are not readable: send base64(user:password).");
        var request = new IssueRegistryToken(
            query["service"].FirstOrDefault(), query["scope"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToArray(),
            query["account"].FirstOrDefault(), userName, password, http.Connection.RemoteIpAddress?.ToString());
        var result = await realm.IssueAsync(request, ct);
        if (!result.Succeeded)
            return result.Failure!.Kind == Application.Common.FailureKind.Unauthorized
                ? Unauthorized(http, result.Failure.Message)
                : ApiResults.Problem(result.Failure);
        var token = result.Value!;
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new RegistryTokenResponse(token.Token, token.Token, token.ExpiresIn, token.IssuedAt));
    }

    /// <summary>The certificate registry tokens are signed with (PEM), for the registry's `auth.token.rootcertbundle`.</summary>
    [WolverineGet("/api/v1/registry/certificate"), Tags("Registry")]
    [ProducesResponseType<string>(200, "application/x-pem-file")]
    public static IResult Certificate(IRegistryTokenIssuer issuer) =>
        Results.Text(issuer.CertificatePem, "application/x-pem-file");

    static bool IsBasic(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);

    static (string? UserName, string? Password) BasicCredentials(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) ||
            !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
            return (null, null);
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = decoded.IndexOf(':');
            return colon <= 0 ? (null, "") : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return (null, "");
        }
    }

    static IResult Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Basic realm=\"Cocktail registry\", charset=\"UTF-8\"";
        return Results.Problem(detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
    }
}
