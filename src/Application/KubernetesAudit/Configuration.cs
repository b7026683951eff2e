using Cocktail.Application.KubernetesAudit.Ingesting;
using Cocktail.Application.KubernetesAudit.SettingUpWebhook;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Application.KubernetesAudit;

/// <summary>
/// Kubernetes audit: the webhook's secret and what it observed are documents, its secret changes are events on the
/// cluster's stream. The records themselves are rows in a table of their own (Infrastructure), not documents.
/// </summary>
public static class Configuration
{
    public static void AddKubernetesAudit(this StoreOptions options)
    {
        options.Schema.For<ClusterAuditWebhook>();
        options.Schema.For<AuditWebhookDelivery>();
        options.Schema.For<AuditWebhookRefusal>();
        options.Events.AddEventType(typeof(AuditWebhookSecretCreated));
    }

    /// <summary>What the use cases keep between batches: the grant lookups' cache and the last delivery recorded.</summary>
    public static IServiceCollection AddKubernetesAudit(this IServiceCollection services) => services
        .AddSingleton<GrantDirectory>()
        .AddSingleton<WebhookObservations>();
}
