using Cocktail.Application.TerminalSessions;
using Cocktail.Application.TerminalSessions.Opening;
using Cocktail.Application.TerminalSessions.Relaying;
using System.Text.Json.Serialization;
using Cocktail.Application.ApiTokens;
using Cocktail.Application.ApiTokens.Authenticating;
using Cocktail.Application.Audit;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Clusters.WarningOfExpiry;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Application.QuotaRequests;
using Cocktail.Infrastructure.Inventory;
using Cocktail.Infrastructure.Kubernetes;
using Cocktail.Infrastructure.Reconciling;
using Cocktail.Infrastructure.Access;
using Cocktail.Infrastructure.KubernetesAudit;
using Cocktail.Application.Logs;
using Cocktail.Infrastructure.Logs;
using Cocktail.Application.AccessGrants;
using Cocktail.Application.Alerts;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Application.Policies;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.KubernetesAudit.Ingesting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Application.Workspaces;
using Cocktail.Application.Workloads;
using Cocktail.Application.Notifications;
using Cocktail.Infrastructure.Notifications;
using Cocktail.Infrastructure.Workloads;
using Cocktail.Application.Users;
using Cocktail.Application.Users.SigningIn;
using Cocktail.Infrastructure.EventStore;
using Cocktail.Infrastructure.Messaging;
using Cocktail.Infrastructure.Monitoring;
using Cocktail.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using FluentValidation;
using JasperFx;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Weasel.Core;
using Wolverine;
using Wolverine.Marten;

namespace Cocktail.Infrastructure;

public static class CocktailInfrastructure
{
    public const string Schema = "cocktail";

    /// <summary>Marten (documents and events), the event log reader, and the application's own services.</summary>
    public static IServiceCollection AddCocktailCore(this IServiceCollection services, IConfiguration configuration, string connectionString)
    {
        services.AddSingleton(TimeProvider.System);
        // Made by the container so that it is disposed with it: a stopped host closes its pooled connections at once
        // instead of leaving them idle on the server until the pool prunes them (a test run starting and stopping dozens
        // of hosts reached PostgreSQL's max_connections that way).
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        services.AddHostedService<DatabaseSetup>(); // first: every other start-up step needs the schema

        services.AddDataProtection().SetApplicationName("cocktail");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new PostgresXmlRepository(provider.GetRequiredService<NpgsqlDataSource>(), Schema)));
        services.Configure<SignInOptions>(configuration.GetSection(SignInOptions.Section));
        services.Configure<ApiTokenOptions>(configuration.GetSection(ApiTokenOptions.Section));
        services.Configure<Cocktail.Application.ImageScanning.VulnerabilityExceptionOptions>(
            configuration.GetSection(Cocktail.Application.ImageScanning.VulnerabilityExceptionOptions.Section));
        services.AddValidatorsFromAssemblyContaining<RequestDispatcher>(ServiceLifetime.Scoped, includeInternalTypes: true);
        services.AddSingleton<RequestDispatcher>();
        services.AddScoped<ApiTokenAuthenticator>();
        services.AddScoped<IEventLog, EventLog>();
        services.AddSingleton(new AggregateRegistry().RegisterPlatformAggregates());
        services.AddClusterServices(configuration);
        services.AddCharts();
        Charts.ChartsWiring.AddChartSources(services);
        Charts.ChartsWiring.AddChartRefresh(services, configuration);
        services.AddReplicas(configuration);
        services.AddNotificationDelivery(configuration);
        Registries.RegistryWiring.AddRegistries(services, configuration);
        Registries.RegistryImagesSetup.AddRegistryImages(services, configuration);
        ImageGate.ImageGateSetup.AddImageGate(services, configuration);

        services.AddMarten(ConfigureMarten)
            .UseNpgsqlDataSource()
            .UseLightweightSessions()
            // Events that need a cluster changed become the reconciler's messages in the same transaction (the outbox).
            .IntegrateWithWolverine(marten =>
            {
                Provisioning.ProvisioningEventForwarding.Forward(marten);
                Releases.ReleaseEventForwarding.Forward(marten);
            });
        return services;
    }

    private static void ConfigureMarten(StoreOptions options)
    {
        options.DatabaseSchemaName = Schema;
        options.Events.DatabaseSchemaName = Schema;
        options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        // Who, from where, and as part of which request: on every event, for the audit trail.
        options.Events.MetadataConfig.EnableAll();
        options.Events.MetadataConfig.UserNameEnabled = true;
        foreach (var index in DatabaseSetup.EventLogIndexNames) options.Events.IgnoreIndex(index);

        options.AddUsers();
        options.AddApiTokens();
        options.AddClusters();
        Cocktail.Application.Provisioning.Configuration.AddProvisioning(options);
        Cocktail.Application.Releases.Configuration.AddReleases(options);
        options.AddTenancy();
        options.AddQuotaRequests();
        options.AddAccess();
        options.AddServiceMaps();
        options.AddWorkloads();
        Cocktail.Application.Builds.Configuration.AddBuilds(options);
        Cocktail.Application.Pipelines.Configuration.AddPipelines(options);
        options.AddPolicies();
        Cocktail.Application.ImageScanning.Configuration.AddImageScanning(options);
        options.AddKubernetesAudit();
        options.AddTerminalSessions();
        options.AddNotifications();
        Cocktail.Application.PullSecrets.Configuration.AddPullSecrets(options);
        options.AddAlerts();
        Cocktail.Application.Registries.Images.ImageRepositoriesConfiguration.AddImageRepositories(options);
        Cocktail.Application.Monitoring.ConfiguringPrometheus.Configuration.AddPrometheusSettings(options);
        options.AddLogs();
        options.AddLogReceiving();
        Registries.RegistryWiring.AddRegistryDocuments(options);
        Cocktail.Application.Charts.Configuration.AddChartCatalog(options);
    }

    private static void AddClusterServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ClusterOptions>(configuration.GetSection(ClusterOptions.Section));
        services.AddClusterAddressGuard(configuration);
        services.Configure<InventoryOptions>(configuration.GetSection(InventoryOptions.Section));
        services.AddSingleton<IKubeconfigReader, KubeconfigReader>();
        services.AddSingleton<IClusterGateway, ClusterGateway>();
        // One client, one bound on requests in flight and one resilience pipeline per cluster, for every caller.
        services.Configure<ClusterCallOptions>(configuration.GetSection(ClusterCallOptions.Section));
        services.AddSingleton<ClusterClientFactory>();
        services.AddSingleton<ICredentialVault, DataProtectionCredentialVault>();
        services.Configure<Monitoring.PrometheusOptions>(configuration.GetSection(Monitoring.PrometheusOptions.Section));
        // By type (handlers take them; Wolverine's code generation refuses factory registrations): two instances, each
        // with its own cache of direct-URL clients.
        services.AddSingleton<Cocktail.Application.Monitoring.IClusterPrometheus, Monitoring.ClusterPrometheus>();
        services.AddSingleton<Cocktail.Application.Monitoring.ConfiguringPrometheus.IPrometheusProbe, Monitoring.ClusterPrometheus>();
        // Charts' range queries, split by day and cached per replica (as a query-frontend does).
        services.Configure<Cocktail.Application.Monitoring.Charting.ChartCacheOptions>(configuration.GetSection("Cocktail:Charts"));
        services.AddSingleton<Cocktail.Application.Monitoring.Charting.ChartResultsCache>();
        services.AddSingleton<IPodExec, PodExec>();
        services.AddSingleton<TerminalRelay>();
        services.AddSingleton<InventoryStore>();
        // Handlers get these by type: Wolverine's code generation refuses factory registrations.
        services.AddSingleton<IInventoryReader, InventoryStore>();
        services.AddSingleton<InventoryWriter>();
        services.AddHostedService(s => s.GetRequiredService<InventoryWriter>());
        services.AddSingleton<InventoryNotifier>();
        services.AddSingleton<IInventoryNotifications>(s => s.GetRequiredService<InventoryNotifier>());
        services.AddSingleton<IInventoryControl, PostgresInventoryControl>();
        services.AddHostedService(s => s.GetRequiredService<InventoryNotifier>());
        services.Configure<KubernetesIdentityOptions>(configuration.GetSection(KubernetesIdentityOptions.Section));
        services.Configure<ReconcilingOptions>(configuration.GetSection(ReconcilingOptions.Section));
        services.AddSingleton<IServiceMapApplier, ServiceMapApplier>();
        services.AddSingleton<Cocktail.Application.PullSecrets.Reconciling.IPullSecretApplier, PullSecrets.PullSecretApplier>();
        Cocktail.Application.PullSecrets.Configuration.AddPullSecretServices(services, configuration);
        services.Configure<AccessOptions>(configuration.GetSection(AccessOptions.Section));
        services.Configure<KubernetesAuditOptions>(configuration.GetSection(KubernetesAuditOptions.Section));
        services.AddSingleton<IAccessGrantApplier, AccessGrantApplier>();
        services.AddSingleton<IKubeconfigWriter, KubeconfigWriter>();
        services.AddSingleton<IKubernetesAuditStore, KubernetesAuditStore>();
        services.AddSingleton<KubernetesAuditStore>();
        services.AddSingleton<IAuditEventListParser, AuditEventListParser>();
        services.AddKubernetesAudit();
        services.AddAlerts(configuration);
        services.AddSingleton<Cocktail.Infrastructure.Alerts.AlertEvaluationScheduler>();
        services.AddHostedService(s => s.GetRequiredService<Cocktail.Infrastructure.Alerts.AlertEvaluationScheduler>());
        services.AddLogStore(configuration);
        services.AddLogReceiving(configuration);
        services.AddSingleton<Cocktail.Application.Logs.Receiving.IOtlpCodec, Cocktail.Infrastructure.Logs.Otlp.OtlpCodec>();
        services.AddSingleton<IWorkloadApplier, WorkloadApplier>();
        // Cluster API on management clusters: by type, as handlers take it.
        services.AddSingleton<Cocktail.Application.Provisioning.IClusterApiGateway, Provisioning.ClusterApiGateway>();
        services.AddSingleton<Cocktail.Application.Provisioning.Reconciling.IProvisionedClusterAccess, Provisioning.ProvisionedClusterAccessor>();
        services.Configure<Provisioning.ProvisioningOptions>(configuration.GetSection(Provisioning.ProvisioningOptions.Section));
        services.AddSingleton<Provisioning.ProvisioningFollower>();
        services.AddHostedService(s => s.GetRequiredService<Provisioning.ProvisioningFollower>());
        // Chart releases through Flux: the addon catalog, the gateway, the manifest reader and the follower.
        services.Configure<Cocktail.Application.Addons.AddonOptions>(configuration.GetSection(Cocktail.Application.Addons.AddonOptions.Section));
        services.AddSingleton<Cocktail.Application.Addons.AddonCatalog>();
        services.AddSingleton<Cocktail.Application.Releases.IVisibleChartRepositories, Cocktail.Application.Releases.AddonChartRepositories>();
        services.AddSingleton<Cocktail.Application.Releases.IFluxGateway, Releases.FluxGateway>();
        services.AddSingleton<Cocktail.Application.Releases.Flux.IFluxManifests, Releases.FluxManifests>();
        services.Configure<Releases.ReleaseFollowingOptions>(configuration.GetSection(Releases.ReleaseFollowingOptions.Section));
        services.AddSingleton<Releases.ReleaseFollower>();
        services.AddHostedService(s => s.GetRequiredService<Releases.ReleaseFollower>());
        services.AddSingleton<IWorkloadYaml, WorkloadYaml>();
        services.AddSingleton<Application.Pipelines.IPipelineYaml, Pipelines.PipelineYaml>();
        services.AddSingleton<IWorkloadInventory, WorkloadInventory>();
        services.AddSingleton<Cocktail.Application.Clusters.ViewingObjects.IClusterObjectReader, ClusterObjectReader>();
        services.AddSingleton<InventorySupervisor>();
        services.AddHostedService(s => s.GetRequiredService<InventorySupervisor>());
        services.AddSingleton<RolloutTracker>();
        services.AddHostedService(s => s.GetRequiredService<RolloutTracker>());
        services.AddSingleton<Cocktail.Application.Builds.IBuildCluster, Builds.BuildCluster>();
        services.AddSingleton<Builds.BuildTracker>();
        services.AddHostedService(s => s.GetRequiredService<Builds.BuildTracker>());
        ImageScanning.ImageScanningWiring.AddImageScanningServices(services, configuration);
        services.AddHostedService<Pipelines.PipelineScheduler>();
    }

    /// <summary>Wolverine: handlers in Application, transactions and the durable outbox on Marten.</summary>
    public static void ConfigureCocktailMessaging(this WolverineOptions options)
    {
        options.ServiceName = "cocktail";
        options.Discovery.IncludeAssembly(typeof(RequestDispatcher).Assembly);
        options.Policies.AutoApplyTransactions();
        options.Policies.UseDurableLocalQueues();
        options.RetryLostRaces();
        Cocktail.Application.Notifications.Routing.AlertNotificationHandler.Route(options);
        options.Policies.AddMiddleware(typeof(ActorMiddleware), HandlerPolicies.TakesActor);
        options.Policies.AddMiddleware(typeof(EventMetadataMiddleware), HandlerPolicies.WritesToMarten);
        options.UseSystemTextJsonForSerialization(json => json.Converters.Add(new JsonStringEnumConverter()));
    }
}
