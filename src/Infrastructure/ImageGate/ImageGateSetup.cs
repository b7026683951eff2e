using Cocktail.Application.ImageScanning;
using Cocktail.Application.ImageScanning.ConfiguringGate;
using Cocktail.Application.ImageScanning.Gating;
using Cocktail.Application.ImageScanning.Reconciling;
using Cocktail.Domain.ImageScanning;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.ImageGate;

public static class ImageGateSetup
{
    /// <summary>Verdicts, the admission endpoint's services, the cluster setting's reconciler and the serving certificate.</summary>
    public static IServiceCollection AddImageGate(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ImageGateOptions>(configuration.GetSection(ImageGateOptions.Section));
        // By type: handlers take them, and Wolverine's code generation refuses factory registrations.
        services.AddSingleton<IRegistryTagResolver, RegistryTagResolver>();
        services.AddSingleton<ImageVerdicts>();
        services.AddSingleton<ImageAdmissionAudit>();
        services.AddSingleton<ImageAdmissions>();
        services.AddHostedService<ImageAdmissionAuditWriter>();
        services.AddSingleton<IAdmissionCertificate, AdmissionServingCertificate>();
        services.AddSingleton<IImageGateWebhookApplier, ImageGateWebhookApplier>();
        services.ConfigureMarten(AddImageGateDocuments);
        return services;
    }

    private static void AddImageGateDocuments(StoreOptions options)
    {
        options.Projections.Snapshot<ClusterImageGateView>(SnapshotLifecycle.Inline);
        options.Schema.For<ClusterImageGateView>().Index(v => v.ClusterId);
        options.Schema.For<AdmissionCertificateDocument>();
        options.Events.AddEventTypes([
            typeof(ClusterImageGateConfigured), typeof(ClusterImageGateCleared), typeof(ClusterImageGateApplied),
            typeof(ClusterImageGateApplyFailed), typeof(ImageAdmissionDecided),
        ]);
    }
}
