using Cocktail.Application.Registries.IssuingTokens;
using Cocktail.Application.Registries.Robots;
using Cocktail.Domain.Registries;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Application.Registries;

public static class Configuration
{
    public static void AddRegistries(this StoreOptions options)
    {
        options.Projections.Snapshot<RobotAccountView>(SnapshotLifecycle.Inline);
        options.Schema.For<RobotAccountView>().Index(r => r.WorkspaceId);
        options.Schema.For<RobotSecret>();
        options.Events.AddEventTypes([typeof(RobotAccountCreated), typeof(RobotAccountRevoked), typeof(RobotAccountExpired)]);
    }

    public static IServiceCollection AddRegistryServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RegistryOptions>(configuration.GetSection(RegistryOptions.Section));
        services.AddScoped<RegistryTokenRealm>();
        services.AddScoped<RobotAuthenticator>();
        services.AddSingleton<IRobotAccounts, RobotAccounts>();
        return services;
    }
}
