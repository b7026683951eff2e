using Cocktail.Application.Logs.Receiving;
using Cocktail.Application.Logs.SettingUpCollection;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Application.Logs;

/// <summary>
/// Application logs, the receiving half: each cluster's OTLP token is a document (its changes are events on the
/// cluster's stream); the lines themselves go through <see cref="LogIngestQueue"/> to the <see cref="ILogStore"/>.
/// </summary>
public static class ReceivingConfiguration
{
    public static void AddLogReceiving(this StoreOptions options)
    {
        options.Schema.For<ClusterLogToken>().UniqueIndex(t => t.TokenHash);
        options.Events.AddEventType(typeof(LogIngestTokenCreated));
    }

    public static IServiceCollection AddLogReceiving(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OtlpOptions>(configuration.GetSection(OtlpOptions.Section));
        services.AddSingleton<NamespaceOwners>();
        services.AddSingleton<LogIngestQueue>();
        services.AddHostedService<LogIngestWriter>();
        return services;
    }
}
