using Cocktail.Application.Logs;
using Cocktail.Application.Logs.Tailing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.Logs;

public static class LogStoreSetup
{
    /// <summary>The PostgreSQL log store, its partition housekeeping, and what the log use cases share.</summary>
    public static IServiceCollection AddLogStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<LogsOptions>(configuration.GetSection(LogsOptions.Section));
        services.AddLogs();
        services.AddSingleton<LogArrivals>();
        // One instance (its append lock and partition cache are shared); the housekeeper reaches it through the port.
        services.AddSingleton<ILogStore, PostgresLogStore>();
        services.AddHostedService<LogHousekeeper>();
        return services;
    }
}
