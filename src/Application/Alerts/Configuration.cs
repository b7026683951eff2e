using Cocktail.Application.Alerts.ReceivingAlertmanager;
using Cocktail.Domain.Monitoring;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Application.Alerts;

/// <summary>Alert rules, alerts (one stream per fingerprint), silences and the per-cluster Alertmanager webhook.</summary>
public static class Configuration
{
    public static void AddAlerts(this StoreOptions options)
    {
        options.Projections.Snapshot<AlertRuleView>(SnapshotLifecycle.Inline);
        options.Projections.Add<AlertViewProjection>(ProjectionLifecycle.Inline);
        options.Projections.Snapshot<SilenceView>(SnapshotLifecycle.Inline);
        options.Schema.For<AlertRuleView>().Index(r => r.WorkspaceId);
        options.Schema.For<AlertView>().Index(a => a.Fingerprint).Index(a => a.WorkspaceId).Index(a => a.RuleId).Index(a => a.Firing).Index(a => a.FiredAt);
        options.Schema.For<SilenceView>().Index(s => s.WorkspaceId);
        options.Schema.For<AlertPendingState>();
        options.Schema.For<AlertmanagerWebhook>();
        options.Events.AddEventTypes([
            typeof(AlertRuleSaved), typeof(AlertRuleDeleted), typeof(AlertFired), typeof(AlertResolved), typeof(AlertAcknowledged),
            typeof(AlertSilenced), typeof(SilenceExpired), typeof(AlertmanagerSecretCreated),
        ]);
    }

    public static IServiceCollection AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AlertingOptions>(configuration.GetSection(AlertingOptions.Section));
        return services;
    }
}
