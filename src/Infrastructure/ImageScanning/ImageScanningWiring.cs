using Cocktail.Application.ImageScanning;
using Cocktail.Application.ImageScanning.Scanning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.ImageScanning;

public static class ImageScanningWiring
{
    /// <summary>Scanner Jobs on the build cluster, their tracker, the rescan schedule and the Trivy Operator feed.</summary>
    public static IServiceCollection AddImageScanningServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ImageScanningOptions>(configuration.GetSection(ImageScanningOptions.Section));
        services.AddSingleton<IImageScanCluster, ImageScanCluster>();
        services.AddHostedService<ImageScanTracker>();
        services.AddHostedService<RescanScheduler>();
        services.AddHostedService<TrivyOperatorFeed>();
        return services;
    }
}
