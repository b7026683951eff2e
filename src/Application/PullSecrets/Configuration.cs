using Cocktail.Application.PullSecrets.Reconciling;
using Cocktail.Domain.Registries;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cocktail.Application.PullSecrets;

/// <summary>
/// External registries are event-sourced; their secrets, the pull robots' passwords and ECR tokens are encrypted
/// documents; what each namespace holds is an observed-state document.
/// </summary>
public static class Configuration
{
    public static void AddPullSecrets(this StoreOptions options)
    {
        options.Projections.Snapshot<ExternalRegistryView>(JasperFx.Events.Projections.SnapshotLifecycle.Inline);
        options.Schema.For<ExternalRegistryView>().Index(r => r.WorkspaceId);
        options.Schema.For<ExternalRegistrySecret>();
        options.Schema.For<WorkspacePullRobot>().Index(r => r.WorkspaceId);
        options.Schema.For<EcrTokenCache>();
        options.Schema.For<PullSecretStatus>().Index(s => s.WorkspaceId);
        options.Events.AddEventTypes([typeof(ExternalRegistryAdded), typeof(ExternalRegistryChanged), typeof(ExternalRegistryRemoved)]);
    }

    /// <summary>The options, and stand-ins used only when no robot accounts or ECR exchange are registered.</summary>
    public static IServiceCollection AddPullSecretServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PullSecretOptions>(configuration.GetSection(PullSecretOptions.Section));
        services.TryAddSingleton<Registries.IRobotAccounts, NoRobotAccounts>();
        services.TryAddSingleton<IEcrAuthorization, UnavailableEcrAuthorization>();
        return services;
    }
}
