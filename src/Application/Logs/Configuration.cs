using Cocktail.Domain.Logs;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Application.Logs;

/// <summary>
/// Application logs: the lines are rows in a partitioned table of their own (Infrastructure), not events. A workspace's
/// retention is an event on the workspace's stream; every export is an event on a stream of its own.
/// </summary>
public static class Configuration
{
    public static void AddLogs(this StoreOptions options)
    {
        options.Projections.Add<LogRetentionViewProjection>(ProjectionLifecycle.Inline);
        options.Events.AddEventTypes([typeof(WorkspaceLogRetentionSet), typeof(LogsExported)]);
    }

    public static IServiceCollection AddLogs(this IServiceCollection services) => services.AddSingleton<LogRetentions>();
}
