using Cocktail.Application.Registries.IssuingTokens;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Application.Registries;

public static class Configuration
{
    public static void AddRegistries(this StoreOptions options)
    {
    }

    public static IServiceCollection AddRegistryServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RegistryOptions>(configuration.GetSection(RegistryOptions.Section));
        services.AddScoped<RegistryTokenRealm>();
        services.AddScoped<RobotAuthenticator>();
        return services;
    }
}
