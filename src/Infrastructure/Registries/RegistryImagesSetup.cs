using Cocktail.Application.Registries;
using Cocktail.Application.Registries.Images;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.Registries;

public static class RegistryImagesSetup
{
    /// <summary>Browsing, deleting and retaining the workspace registry's images: the options and Cocktail's own registry client.</summary>
    public static IServiceCollection AddRegistryImages(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RegistryOptions>(configuration.GetSection(RegistryOptions.Section));
        services.Configure<RegistryImagesOptions>(configuration.GetSection(RegistryOptions.Section));
        services.AddHttpClient(RegistryClient.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        services.AddSingleton<IRegistryClient, RegistryClient>();
        return services;
    }
}
