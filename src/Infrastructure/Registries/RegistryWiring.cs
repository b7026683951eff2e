using Cocktail.Application.Registries;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cocktail.Infrastructure.Registries;

public static class RegistryWiring
{
    public static IServiceCollection AddRegistries(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRegistryServices(configuration);
        // By type: handlers take it, and Wolverine's code generation refuses factory registrations.
        services.AddSingleton<IRegistryTokenIssuer, RegistryTokenIssuer>();
        services.AddHostedService<RegistrySigningKeyWarmUp>();
        return services;
    }

    public static void AddRegistryDocuments(this StoreOptions options)
    {
        options.Schema.For<RegistrySigningKeyDocument>();
        options.AddRegistries();
    }
}

/// <summary>Reads (or makes) the signing key at start, so that the first `docker login` does not pay for it.</summary>
internal sealed class RegistrySigningKeyWarmUp(IRegistryTokenIssuer issuer) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        issuer is RegistryTokenIssuer ours ? ours.LoadAsync().WaitAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
