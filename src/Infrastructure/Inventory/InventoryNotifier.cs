using System.Collections.Concurrent;
using Cocktail.Application.Clusters.ObservingInventory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>
/// PostgreSQL LISTEN/NOTIFY between replicas: inventory changes (for live pages) and cluster connection changes
/// (for the watching replica), wherever the change happened.
/// </summary>
public sealed class InventoryNotifier(NpgsqlDataSource dataSource, ILogger<InventoryNotifier> logger)
    : BackgroundService, IInventoryNotifications
{
    public const string ConnectionsChannel = "cocktail_cluster_connections";
    private readonly ConcurrentDictionary<Guid, Action<Guid>> _inventorySubscribers = new();
    private readonly ConcurrentDictionary<Guid, Action<Guid>> _connectionSubscribers = new();

    public IDisposable Subscribe(Action<Guid> clusterChanged) => Add(_inventorySubscribers, clusterChanged);

    public IDisposable SubscribeToConnectionChanges(Action<Guid> clusterChanged) => Add(_connectionSubscribers, clusterChanged);

    /// <summary>Connecting again after the database went away: soon at first, then less often, with jitter.</summary>
    private ResiliencePipeline Reconnecting() => RetryForever.Build(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(15),
        e => e is not OperationCanceledException,
        e => logger.LogWarning(e, "Listening for inventory notifications failed; reconnecting"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reconnect = Reconnecting();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await reconnect.ExecuteAsync(ListenAsync, stoppingToken);
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A connection that worked and then broke is opened again at once; Polly backs off if that fails too.
                logger.LogWarning(e, "Listening for inventory notifications failed; reconnecting");
            }
        }
    }

    private async ValueTask<NpgsqlConnection> ListenAsync(CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            connection.Notification += (_, n) => Dispatch(n.Channel, n.Payload);
            await using (var listen = new NpgsqlCommand($"listen {InventoryStore.NotifyChannel}; listen {ConnectionsChannel};", connection))
                await listen.ExecuteNonQueryAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private void Dispatch(string channel, string payload)
    {
        if (!Guid.TryParse(payload, out var clusterId)) return;
        var subscribers = channel == ConnectionsChannel ? _connectionSubscribers : _inventorySubscribers;
        foreach (var subscriber in subscribers.Values)
        {
            try { subscriber(clusterId); }
            catch (Exception e) { logger.LogWarning(e, "An inventory subscriber failed"); }
        }
    }

    private static IDisposable Add(ConcurrentDictionary<Guid, Action<Guid>> subscribers, Action<Guid> action)
    {
        var id = Guid.NewGuid();
        subscribers[id] = action;
        return new Unsubscriber(() => subscribers.TryRemove(id, out _));
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

/// <summary>Sends the connection-change notification the watching replica listens for, and detail changes for live pages.</summary>
public sealed class PostgresInventoryControl(NpgsqlDataSource dataSource) : IInventoryControl
{
    public Task ConnectionChangedAsync(Guid clusterId, CancellationToken ct) => NotifyAsync(InventoryNotifier.ConnectionsChannel, clusterId, ct);

    public Task DetailsChangedAsync(Guid clusterId, CancellationToken ct) => NotifyAsync(InventoryStore.NotifyChannel, clusterId, ct);

    private async Task NotifyAsync(string channel, Guid clusterId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select pg_notify($1, $2)");
        command.Parameters.Add(new NpgsqlParameter { Value = channel });
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId.ToString() });
        await command.ExecuteNonQueryAsync(ct);
    }
}
