using Cocktail.Application.Registries.Images;
using Cocktail.Application.Registries.IssuingTokens;
using Cocktail.Application.Registries.Robots;
using Cocktail.Domain.Registries;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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
        services.AddRegistryOptions(configuration);
        services.AddScoped<RegistryTokenRealm>();
        services.AddScoped<RobotAuthenticator>();
        services.AddSingleton<IRobotAccounts, RobotAccounts>();
        return services;
    }

    /// <summary>
    /// The one binding of <c>Cocktail:Registry</c>: <see cref="RegistryOptions"/>, checked when the host starts, and the
    /// image side's <see cref="RegistryImagesOptions"/> from the same section. Every slice takes
    /// <c>IOptions&lt;RegistryOptions&gt;</c> from here.
    /// </summary>
    static IServiceCollection AddRegistryOptions(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(RegistryOptions.Section);
        services.AddOptions<RegistryOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidation>());
        services.AddOptions<RegistryImagesOptions>().Bind(section);
        return services;
    }
}
