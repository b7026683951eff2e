using System.Net.Http.Headers;
using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.Registries;
using Cocktail.Application.Registries.IssuingTokens;
using Microsoft.AspNetCore.Http.Features;
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

/// <summary>
/// The OAuth2 form's answer (Docker Registry v2 token specification, "OAuth2 Token Authentication"): no
/// <c>refresh_token</c>, since Cocktail issues none (see <see cref="RegistryEndpoints.OAuthToken"/>).
/// </summary>
public sealed record RegistryOAuthTokenResponse(
    [property: Application.Common.Secret, System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("scope")] string Scope,
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
    /// "Basic " and base64 of a user name (256) and a password or API token (1024): anything longer is refused before
    /// it is decoded.
    /// </summary>
    public const int MaxAuthorizationLength = 2048;

    /// <summary>The OAuth2 form is a handful of short fields; the realm reads no more than this.</summary>
    static readonly FormOptions OAuthForm = new()
    {
        BufferBodyLengthLimit = 16 * 1024, MultipartBodyLengthLimit = 16 * 1024, ValueCountLimit = 16, KeyLengthLimit = 32,
        ValueLengthLimit = IssueRegistryTokenValidator.MaxScopes * RegistryScope.MaxLength,
    };

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
        if (http.Request.Headers.Authorization.ToString().Length > MaxAuthorizationLength)
            return ApiResults.Problem(Failure.Invalid($"The Authorization header is longer than {MaxAuthorizationLength} characters.", "authorization"));
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

    /// <summary>
    /// The realm's OAuth2 form (<c>application/x-www-form-urlencoded</c>), as containerd tries first: <c>grant_type=password</c>
    /// with <c>username</c>, <c>password</c>, <c>service</c> and space-separated <c>scope</c>s, answered with the same
    /// token as the GET. <c>grant_type=refresh_token</c> is refused and no <c>refresh_token</c> is ever returned
    /// (<c>access_type=offline</c> and <c>offline_token</c> are ignored): a refresh token would be a credential that
    /// neither expires with a robot nor is revoked with it. Clients then keep the password, as with the GET.
    /// </summary>
    [WolverinePost(RealmPath), Tags("Registry")]
    [ProducesResponseType<RegistryOAuthTokenResponse>(200), ProducesResponseType(400), ProducesResponseType(401)]
    public static async Task<IResult> OAuthToken(HttpContext http, RegistryTokenRealm realm, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
            return ApiResults.Problem(Failure.Invalid("Send the OAuth2 form as application/x-www-form-urlencoded.", "body"));
        if (http.Request.ContentLength > OAuthForm.BufferBodyLengthLimit)
            return ApiResults.Problem(Failure.Invalid($"The form is longer than {OAuthForm.BufferBodyLengthLimit} bytes.", "body"));
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(OAuthForm, ct);
        }
        catch (InvalidDataException)
        {
            return ApiResults.Problem(Failure.Invalid("The form has too many or too long fields.", "body"));
        }

        var grant = form["grant_type"].FirstOrDefault();
        if (grant != "password")
            return ApiResults.Problem(Failure.Invalid(grant == "refresh_token"
                ? "Cocktail issues no refresh tokens: ask with grant_type=password and the user name and password (or API token, or robot secret)."
                : "grant_type must be password.", "grant_type"));
        var (userName, password) = (form["username"].FirstOrDefault(), form["password"].FirstOrDefault());
        if (string.IsNullOrEmpty(userName) || string.IsNullOrEmpty(password))
            return ApiResults.Problem(Failure.Invalid("The password grant needs a username and a password.", string.IsNullOrEmpty(userName) ? "username" : "password"));

        var scopes = form["scope"].SelectMany(s => (s ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        var result = await realm.IssueAsync(new IssueRegistryToken(form["service"].FirstOrDefault(), scopes, null, userName, password,
            http.Connection.RemoteIpAddress?.ToString()), ct);
        if (!result.Succeeded) return ApiResults.Problem(result.Failure!);
        var token = result.Value!;
        http.Response.Headers.CacheControl = "no-store";
        var granted = string.Join(' ', token.Access.Select(a => $"{a.Type}:{a.Name}:{string.Join(',', a.Actions)}"));
        return Results.Json(new RegistryOAuthTokenResponse(token.Token, granted, token.ExpiresIn, token.IssuedAt));
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
