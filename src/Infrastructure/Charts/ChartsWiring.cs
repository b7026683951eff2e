using Cocktail.Application.Charts;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.Charts;

public static class ChartsWiring
{
    /// <summary>
    /// Chart repositories over the network and chart values. By type (handlers take them; Wolverine's code generation
    /// refuses factory registrations): the index and package readers are two instances, each with its own cache.
    /// </summary>
    public static IServiceCollection AddChartSources(this IServiceCollection services)
    {
        ChartDownloads.AddClient(services);
        services.AddSingleton<ChartDownloads>();
        services.AddSingleton<IChartIndexes, ChartSources>();
        services.AddSingleton<IChartPackages, ChartSources>();
        services.AddSingleton<IChartValues, ChartValues>();
        return services;
    }
}
