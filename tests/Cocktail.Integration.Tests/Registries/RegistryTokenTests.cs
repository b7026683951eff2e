using System.Net;
using Cocktail.Application.Registries;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Cocktail.Testing.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cocktail.Integration.Tests.Registries;

/// <summary>
/// Cocktail as the token server of the real registry (Distribution 2.8), with the real skopeo: the registry trusts
/// Cocktail's signing key by its libtrust key id, members push and pull by their role, and what a caller may not do
/// is left out of the token so the registry refuses it.
/// </summary>
public sealed class RegistryTokenTests(RegistryApp app) : IClassFixture<RegistryApp>
{
    [SkippableFact]
    public async Task a_developer_pushes_and_a_viewer_pulls_with_skopeo_through_cocktails_tokens()
    {
        var registry = app.RequireRegistry();
        var team = await RegistryWorkspace.CreateAsync(app);
        using var client = new RegistryClient(registry);

        var pushed = await client.PushAsync(team.Repository("web"), "v1", team.Developer.UserName, team.Developer.Password);
        Assert.True(pushed.Succeeded, $"{pushed}\n{registry.Output}");

        var pulled = await client.PullAsync(team.Repository("web"), "v1", team.Viewer.UserName, team.Viewer.Password);
        Assert.True(pulled.Succeeded, $"{pulled}\n{registry.Output}");

        var viewerPush = await client.PushAsync(team.Repository("web"), "v2", team.Viewer.UserName, team.Viewer.Password);
        Assert.False(viewerPush.Succeeded);
        Assert.Matches("(?i)denied|unauthorized|authentication required", viewerPush.Error);
    }

    [SkippableFact]
    public async Task an_api_token_works_as_the_password_and_a_wrong_password_is_refused_by_the_realm()
    {
        var registry = app.RequireRegistry();
        var team = await RegistryWorkspace.CreateAsync(app);
        var token = await app.IssueTokenAsync(team.Developer.UserName, team.Developer.Password);
        using var client = new RegistryClient(registry);

        var pushed = await client.PushAsync(team.Repository("api"), "v1", team.Developer.UserName, token);
        Assert.True(pushed.Succeeded, $"{pushed}\n{registry.Output}");

        var wrong = TestSecrets.Remember($"wrong-{Guid.NewGuid():N}");
        var refused = await client.PullAsync(team.Repository("api"), "v1", team.Developer.UserName, wrong);
        Assert.False(refused.Succeeded);

        using var anonymous = app.Anonymous();
        var answer = await RegistryTokens.RequestAsync(anonymous, team.Developer.UserName, wrong, $"repository:{team.Repository("api")}:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.StartsWith("Basic", answer.Headers.WwwAuthenticate.ToString());
        Assert.DoesNotContain(wrong, await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task anonymous_callers_and_strangers_get_a_token_without_the_access_they_may_not_have()
    {
        var team = await RegistryWorkspace.CreateAsync(app);
        var other = await RegistryWorkspace.CreateAsync(app);
        using var anonymous = app.Anonymous();
        var scope = $"repository:{team.Repository("web")}:pull,push";

        var nobody = await RegistryTokens.RequestAsync(anonymous, null, null, scope);
        Assert.Equal(HttpStatusCode.OK, nobody.StatusCode);
        var body = await nobody.BodyAsync();
        Assert.Equal((string)body["token"]!, (string)body["access_token"]!);
        Assert.Equal(300, (int)body["expires_in"]!);
        var (header, claims) = RegistryTokens.Decode((string)body["token"]!);
        Assert.Equal("ES256", (string)header["alg"]!);
        Assert.Matches("^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$", (string)header["kid"]!);
        Assert.Equal("cocktail", (string)claims["iss"]!);
        Assert.Equal("cocktail-registry", (string)claims["aud"]!);
        Assert.Empty(RegistryTokens.Access(claims));

        var stranger = await RegistryTokens.RequestAsync(anonymous, other.WorkspaceAdmin.UserName, other.WorkspaceAdmin.Password,
            scope, $"repository:{other.Repository("web")}:pull,push,delete", "registry:catalog:*");
        var strangerClaims = RegistryTokens.Decode((string)(await stranger.BodyAsync())["token"]!).Claims;
        Assert.Equal(other.WorkspaceAdmin.UserName, (string)strangerClaims["sub"]!);
        Assert.Equal([$"repository:{other.Repository("web")}:pull,push"], RegistryTokens.Access(strangerClaims));

        var viewer = await RegistryTokens.RequestAsync(anonymous, team.Viewer.UserName, team.Viewer.Password, scope);
        Assert.Equal([$"repository:{team.Repository("web")}:pull"], RegistryTokens.Access(RegistryTokens.Decode((string)(await viewer.BodyAsync())["token"]!).Claims));

        var admin = await RegistryTokens.RequestAsync(anonymous, CocktailApp.AdminUserName, CocktailApp.AdminPassword,
            scope + ",delete", "registry:catalog:*");
        Assert.Equal([$"repository:{team.Repository("web")}:pull,push,delete", "registry:catalog:*"],
            RegistryTokens.Access(RegistryTokens.Decode((string)(await admin.BodyAsync())["token"]!).Claims));
    }

    [Fact]
    public async Task a_token_request_for_another_service_or_with_a_malformed_scope_is_a_field_error()
    {
        using var anonymous = app.Anonymous();
        var service = await anonymous.GetAsync("/api/v1/registry/token?service=elsewhere&scope=repository:a/b:pull");
        Assert.Equal(HttpStatusCode.BadRequest, service.StatusCode);
        Assert.Contains("elsewhere", (string)(await service.BodyAsync())["errors"]!["service"]![0]!);

        var scope = await anonymous.GetAsync("/api/v1/registry/token?service=cocktail-registry&scope=pull");
        Assert.Equal(HttpStatusCode.BadRequest, scope.StatusCode);
        Assert.NotNull((await scope.BodyAsync())["errors"]!["scope"]);
    }

    [Fact]
    public async Task an_oversized_basic_header_too_many_scopes_or_a_too_long_scope_is_a_field_error()
    {
        using var anonymous = app.Anonymous();
        var huge = new HttpRequestMessage(HttpMethod.Get, "/api/v1/registry/token?service=cocktail-registry");
        huge.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String(new byte[4000]));
        var header = await anonymous.SendAsync(huge);
        Assert.Equal(HttpStatusCode.BadRequest, header.StatusCode);
        Assert.Contains("2048", (string)(await header.BodyAsync())["errors"]!["authorization"]![0]!);

        var many = await RegistryTokens.RequestAsync(anonymous, null, null, Enumerable.Range(0, 33).Select(i => $"repository:a/r{i}:pull").ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        Assert.Contains("at most 32", (string)(await many.BodyAsync())["errors"]!["scope"]![0]!);

        var longScope = await RegistryTokens.RequestAsync(anonymous, null, null, $"repository:a/{new string('x', 600)}:pull");
        Assert.Equal(HttpStatusCode.BadRequest, longScope.StatusCode);
        Assert.Contains("at most 512 characters", (string)(await longScope.BodyAsync())["errors"]!["scope"]![0]!);
    }

    [Fact]
    public async Task the_oauth2_password_grant_gives_the_same_access_and_refresh_tokens_are_neither_issued_nor_accepted()
    {
        var team = await RegistryWorkspace.CreateAsync(app);
        var other = await RegistryWorkspace.CreateAsync(app);
        using var anonymous = app.Anonymous();
        Task<HttpResponseMessage> PostAsync(params (string Key, string Value)[] fields) => anonymous.PostAsync(RealmPath,
            new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Key, f.Value))));

        var granted = await PostAsync(("grant_type", "password"), ("service", "cocktail-registry"), ("client_id", "containerd-client"),
            ("access_type", "offline"), ("username", team.Developer.UserName), ("password", team.Developer.Password),
            ("scope", $"repository:{team.Repository("web")}:pull,push repository:{other.Repository("web")}:pull"));

        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var body = await granted.BodyAsync();
        Assert.Null(body["refresh_token"]);
        Assert.Equal($"repository:{team.Repository("web")}:pull,push", (string)body["scope"]!);
        Assert.Equal([$"repository:{team.Repository("web")}:pull,push"], RegistryTokens.Access(RegistryTokens.Decode((string)body["access_token"]!).Claims));
        Assert.Equal(300, (int)body["expires_in"]!);

        var wrong = TestSecrets.Remember($"wrong-{Guid.NewGuid():N}");
        var refused = await PostAsync(("grant_type", "password"), ("service", "cocktail-registry"), ("username", team.Developer.UserName), ("password", wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.DoesNotContain(wrong, await refused.Content.ReadAsStringAsync());
        var refresh = await PostAsync(("grant_type", "refresh_token"), ("service", "cocktail-registry"), ("refresh_token", "anything"));
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Contains("no refresh tokens", (string)(await refresh.BodyAsync())["errors"]!["grant_type"]![0]!);
        var noPassword = await PostAsync(("grant_type", "password"), ("service", "cocktail-registry"), ("username", team.Developer.UserName));
        Assert.NotNull((await noPassword.BodyAsync())["errors"]!["password"]);
        var json = await anonymous.PostAsync(RealmPath, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
    }

    const string RealmPath = "/api/v1/registry/token";

    [Fact]
    public void cocktail_registry_is_bound_once_and_every_slice_reads_the_same_options()
    {
        var configurations = app.Services.GetServices<IConfigureOptions<RegistryOptions>>().ToList();
        Assert.Single(configurations);
        Assert.Equal(app.Registry?.Authority, app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value.Address);
        Assert.Single(app.Services.GetServices<IValidateOptions<RegistryOptions>>().OfType<RegistryOptionsValidation>());
    }

    [Fact]
    public async Task the_signing_certificate_is_published_for_the_registrys_root_bundle()
    {
        using var anonymous = app.Anonymous();
        var pem = await anonymous.GetStringAsync("/api/v1/registry/certificate");
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem);
        Assert.Equal(app.RegistryTokenAuth().CertificatePem, pem);
    }
}
