using Cocktail.Application.Registries.Images;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.Registries;

public static class RegistryImagesSetup
{
    /// <summary>Browsing, deleting and retaining the workspace registry's images: Cocktail's own registry client (the options are bound with the registry's, in Application's Registries configuration).</summary>
    public static IServiceCollection AddRegistryImages(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHttpClient(RegistryClient.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<IRegistryClient, RegistryClient>();
        return services;
    }
}
