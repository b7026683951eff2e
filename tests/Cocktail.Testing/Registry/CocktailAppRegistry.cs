using Cocktail.Application.Registries;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace Cocktail.Testing.Registry;

/// <summary>Running Cocktail as the token server of a real registry.</summary>
public static class CocktailAppRegistry
{
    /// <summary>Configures the app (before it starts) with the registry's address (<c>Cocktail:Registry:Address</c>/<c>ApiUrl</c>).</summary>
    public static T WithRegistry<T>(this T app, RegistryServer registry) where T : CocktailApp
    {
        app.WithSetting($"{RegistryOptions.Section}:{nameof(RegistryOptions.Address)}", registry.Authority);
        app.WithSetting($"{RegistryOptions.Section}:{nameof(RegistryOptions.ApiUrl)}", registry.Address.ToString());
        return app;
    }

    /// <summary>The running app's realm, service, issuer and signing certificate, for the registry's <c>auth.token</c>.</summary>
    public static RegistryTokenAuth RegistryTokenAuth(this CocktailApp app)
    {
        var options = app.Services.GetRequiredService<IOptions<RegistryOptions>>().Value;
        return new RegistryTokenAuth(new Uri(app.BaseAddress, "/api/v1/registry/token"), options.Service, options.Issuer,
            app.Services.GetRequiredService<IRegistryTokenIssuer>().CertificatePem);
    }

    /// <summary>Starts a reserved registry with the running app as its token server (and, optionally, notifications to it).</summary>
    public static Task<RegistryServer> StartRegistryAsync(this CocktailApp app, RegistryServer registry, RegistryNotifications? notifications = null) =>
        registry.StartAsync(new RegistrySettings { Token = app.RegistryTokenAuth(), Notifications = notifications });
}

/// <summary>
/// Cocktail with a real registry beside it, wired for token auth (one per test class, as <c>IClassFixture</c>). Where
/// the registry is not installed the app still runs and <see cref="Registry"/> is null: tests skip with
/// <see cref="RegistryServer.MissingReason"/>. Override <see cref="Notifications"/> to have the registry report pushes.
/// </summary>
public class RegistryApp : CocktailApp, IAsyncLifetime
{
    public RegistryApp()
    {
        if (RegistryServer.Available) this.WithRegistry(Registry = RegistryServer.Reserve());
    }

    public RegistryServer? Registry { get; }

    /// <summary>The registry, or a skipped test where it is not installed.</summary>
    public RegistryServer RequireRegistry()
    {
        Skip.IfNot(RegistryServer.Available, RegistryServer.MissingReason);
        Skip.IfNot(Skopeo.Available, Skopeo.MissingReason);
        return Registry!;
    }

    /// <summary>Where the registry sends its events, once the app runs (null: nowhere).</summary>
    protected virtual RegistryNotifications? Notifications() => null;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        if (Registry is not null) await this.StartRegistryAsync(Registry, Notifications());
    }

    public new async Task DisposeAsync()
    {
        if (Registry is not null) await Registry.DisposeAsync();
        await base.DisposeAsync();
    }
}
