using System.Net.Http.Json;
using Cocktail.KubeSim;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cocktail.Integration.Tests.Platform;

/// <summary>
/// A command that fails, however it fails (a 400 or a 500), leaves no password, token or kubeconfig in the log, in
/// an exception or in the answer. The NUL character is what PostgreSQL refuses in text, so it makes a command fail
/// after validation, deep in the store.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SecretsInTheLogTests(CocktailApp app)
{
    [Fact]
    public async Task an_anonymous_token_request_with_a_nul_in_the_user_name_leaves_no_password_anywhere()
    {
        var password = TestSecrets.Remember($"pw-anon-{Guid.NewGuid():N}");
        using var anonymous = app.Anonymous();

        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/tokens",
            new { userName = "adm\0in", password, name = "nul", expiresInDays = 1 });

        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain(password, await response.Content.ReadAsStringAsync());
        AssertNotLogged(password);
    }

    [Fact]
    public async Task a_token_request_that_fails_after_the_password_was_checked_does_not_log_the_password()
    {
        using var anonymous = app.Anonymous();

        var response = await anonymous.PostAsJsonAsync("/api/v1/auth/tokens",
            new { userName = CocktailApp.AdminUserName, password = CocktailApp.AdminPassword, name = "to\0ken", expiresInDays = 1 });

        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain(CocktailApp.AdminPassword, await response.Content.ReadAsStringAsync());
        AssertNotLogged(CocktailApp.AdminPassword);
    }

    [Fact]
    public async Task registering_a_user_that_fails_in_the_store_does_not_log_the_password()
    {
        var password = TestSecrets.Remember($"pw-new-user-{Guid.NewGuid():N}");
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/users",
            new { userName = $"nul-{Guid.NewGuid():N}"[..12], displayName = "Dis\0play", password, role = "User" });

        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain(password, await response.Content.ReadAsStringAsync());
        AssertNotLogged(password);
    }

    [Fact]
    public async Task registering_a_cluster_that_fails_in_the_store_does_not_log_the_kubeconfig_or_its_token()
    {
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"sec-{Guid.NewGuid():N}"[..12], Nodes = 1 });
        TestSecrets.Remember(sim.AdminToken);
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/clusters",
            new { name = sim.Name, provider = "BareMetal", region = "la\0b", kubeconfig = sim.AdminKubeconfigYaml });

        Assert.False(response.IsSuccessStatusCode);
        Assert.DoesNotContain(sim.AdminToken, await response.Content.ReadAsStringAsync());
        AssertNotLogged(sim.AdminToken);
    }

    [Fact]
    public async Task registering_a_cluster_with_a_token_the_cluster_refuses_does_not_echo_the_token()
    {
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = $"sec-{Guid.NewGuid():N}"[..12], Nodes = 1 });
        var wrong = TestSecrets.Remember($"wrong-token-{Guid.NewGuid():N}");
        using var admin = await app.AsAdminAsync();

        var response = await admin.PostAsJsonAsync("/api/v1/clusters",
            new { name = sim.Name, provider = "BareMetal", server = sim.Server, certificateAuthorityData = sim.CaData, token = wrong });

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(wrong, await response.Content.ReadAsStringAsync());
        AssertNotLogged(wrong);
    }

    [Fact]
    public async Task line_breaks_in_what_a_client_sends_cannot_forge_log_lines()
    {
        var marker = $"FORGED-{Guid.NewGuid():N}";
        using var anonymous = app.Anonymous();

        await anonymous.GetAsync($"/no-such-page/%0D%0A{marker}");
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Cocktail.Tests")
            .LogWarning("User input {Value}", $"x\r\n{marker}-direct\u001b[31m");

        var lines = app.Log.Lines.Where(l => l.Contains(marker, StringComparison.Ordinal)).ToArray();
        Assert.Contains(lines, l => l.Contains($"{marker}-direct", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("/no-such-page/", StringComparison.Ordinal));
        Assert.All(lines, l =>
        {
            var at = l.IndexOf(marker, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', l[..at]);
            Assert.DoesNotContain('\r', l[..at]);
            Assert.DoesNotContain('\u001b', l);
        });
    }

    private void AssertNotLogged(string secret)
    {
        var leaks = app.Log.LinesContainingAny([secret]);
        Assert.True(leaks.Count == 0, $"The secret reached the log:{Environment.NewLine}{string.Join(Environment.NewLine, leaks)}");
    }
}
