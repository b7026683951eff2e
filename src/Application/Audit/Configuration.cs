using Cocktail.Domain.ApiTokens;
using Cocktail.Domain.Access;
using Cocktail.Domain.Builds;
using Cocktail.Domain.Clusters;
using Cocktail.Domain.Monitoring;
using Cocktail.Domain.Tenancy;
using Cocktail.Domain.Policies;
using Cocktail.Domain.Terminal;
using Cocktail.Domain.Users;
using Cocktail.Domain.Workloads;

namespace Cocktail.Application.Audit;

public static class Configuration
{
    /// <summary>Streams whose past state the audit time travel can show.</summary>
    public static AggregateRegistry RegisterPlatformAggregates(this AggregateRegistry registry) =>
        registry.Register<User>().Register<ApiToken>().Register<Cluster>()
            .Register<Workspace>().Register<ServiceMap>().Register<ClusterAllocation>().Register<QuotaRequest>()
            .Register<AccessGrant>().Register<AccessRequest>()
            .Register<Workload>().Register<BuildDefinition>().Register<Build>().Register<PolicyStream>().Register<TerminalSession>()
            .Register<NotificationChannel>().Register<NotificationRoute>().Register<Domain.Registries.ExternalRegistry>()
            .Register<Domain.Monitoring.AlertRule>().Register<Domain.Monitoring.Alert>().Register<Domain.Monitoring.Silence>()
            .Register<Domain.Registries.ImageRepository>().Register<Domain.Registries.RobotAccount>()
            .Register<Domain.Charts.ChartRepository>();
}
