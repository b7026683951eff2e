using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Infrastructure.Messaging;

/// <summary>How fast the replicas notice that one of them is gone (Cocktail:Replicas).</summary>
public sealed class ReplicaOptions
{
    public const string Section = "Cocktail:Replicas";

    /// <summary>How often each replica records in PostgreSQL that it is alive (Wolverine's node health check).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A replica that has not recorded a heartbeat for this long is taken for dead: the messages it had taken on
    /// (durable local queues, the outbox) are released to the others and run there. Wolverine's default is a
    /// minute; well above a garbage-collection pause or a busy moment, since a live replica taken for dead would
    /// have its messages run twice.
    /// </summary>
    public TimeSpan DeadAfter { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Wolverine's durability agent across replicas, in its Balanced mode: one replica (elected through PostgreSQL) leads
/// the others, runs the scheduled messages and recovers the inbox and outbox of a replica that died. Only the
/// timings are Cocktail's.
/// </summary>
public sealed class ReplicaDurability(IOptions<ReplicaOptions> options) : IWolverineExtension
{
    public void Configure(WolverineOptions wolverine)
    {
        var replicas = options.Value;
        wolverine.Durability.Mode = DurabilityMode.Balanced;
        wolverine.Durability.HealthCheckPollingTime = replicas.HeartbeatInterval;
        wolverine.Durability.StaleNodeTimeout = replicas.DeadAfter;
        // Dead replicas' messages are released and checked for on the same beat.
        wolverine.Durability.NodeReassignmentPollingTime = replicas.HeartbeatInterval;
        wolverine.Durability.OrphanedMessageSweepPollingTime = replicas.HeartbeatInterval;
    }
}

public static class ReplicaRegistration
{
    public static IServiceCollection AddReplicas(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ReplicaOptions>(configuration.GetSection(ReplicaOptions.Section));
        services.AddSingleton<IWolverineExtension, ReplicaDurability>();
        services.AddSingleton<Cocktail.Application.Common.IExclusiveTurns, PostgresTurns>();
        return services;
    }
}
