using System.Collections.Concurrent;
using Cocktail.Application.Clusters.ObservingInventory;
using Npgsql;

namespace Cocktail.Benchmarks.Inventory;

/// <summary>
/// Looks at Cocktail's inventory tables directly, as its read model is stored, and hears the notifications Cocktail
/// sends after each committed batch, so a change is seen the moment it is readable and without polling hard.
/// </summary>
public sealed class ReadModel : IAsyncDisposable
{
    private const string Schema = "cocktail";
    private readonly NpgsqlDataSource _db;
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _listening = Task.CompletedTask;

    public ReadModel(string connectionString) =>
        _db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 8 }.ConnectionString);

    public async Task StartListeningAsync()
    {
        var connection = await _db.OpenConnectionAsync();
        connection.Notification += (_, n) =>
        {
            if (Guid.TryParse(n.Payload, out var cluster) && _waiting.TryRemove(cluster, out var signal)) signal.TrySetResult();
        };
        await using (var listen = new NpgsqlCommand("listen cocktail_inventory", connection)) await listen.ExecuteNonQueryAsync();
        _listening = Task.Run(async () =>
        {
            await using (connection)
                while (!_stop.IsCancellationRequested)
                    await connection.WaitAsync(_stop.Token);
        });
    }

    /// <summary>Clusters whose nodes and running pods are all stored.</summary>
    public async Task<int> CompleteClustersAsync(int nodes, int pods)
    {
        await using var command = _db.CreateCommand($"""
            select count(*) from (
              select cluster_id from {Schema}.inv_objects where kind = any($1) group by cluster_id
              having count(*) filter (where kind = $2) = $3
                 and count(*) filter (where kind = $4 and data->>'phase' = 'Running') = $5) complete
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = new short[] { (short)InventoryKind.Node, (short)InventoryKind.Pod } });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)InventoryKind.Node });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)nodes });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)InventoryKind.Pod });
        command.Parameters.Add(new NpgsqlParameter { Value = (long)pods });
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until the pod's stored labels carry <paramref name="value"/> (or the timeout passes).</summary>
    public async Task<bool> WaitForPodLabelAsync(Guid cluster, string ns, string pod, string key, string value, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            // Registered before reading, so a batch committed in between still wakes this.
            var signal = _waiting.GetOrAdd(cluster, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (await PodLabelAsync(cluster, ns, pod, key) == value) return true;
            await Task.WhenAny(signal.Task, Task.Delay(200));
        }
        return false;
    }

    private async Task<string?> PodLabelAsync(Guid cluster, string ns, string pod, string key)
    {
        await using var command = _db.CreateCommand(
            $"select data->'labels'->>$4 from {Schema}.inv_objects where cluster_id = $1 and kind = $2 and namespace = $3 and name = $5");
        command.Parameters.Add(new NpgsqlParameter { Value = cluster });
        command.Parameters.Add(new NpgsqlParameter { Value = (short)InventoryKind.Pod });
        command.Parameters.Add(new NpgsqlParameter { Value = ns });
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = pod });
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>Health transitions recorded so far, by event type: a healthy fleet under load should have none.</summary>
    public async Task<string> HealthTransitionsAsync()
    {
        await using var command = _db.CreateCommand($"""
            select type, count(*) from {Schema}.mt_events
            where type in ('cluster_degraded', 'cluster_became_unreachable', 'cluster_recovered') group by type order by type
            """);
        var counts = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) counts.Add($"{reader.GetInt64(1)} {reader.GetString(0)}");
        if (counts.Count == 0) return "none";
        await using var why = _db.CreateCommand($"""
            select regexp_replace(coalesce(data->>'reason', data->>'error'), '[0-9]+(\.[0-9]+)? s', 'N s', 'g'), count(*) from {Schema}.mt_events
            where type in ('cluster_degraded', 'cluster_became_unreachable')
            group by 1 order by 2 desc limit 3
            """);
        var reasons = new List<string>();
        await using (var reader = await why.ExecuteReaderAsync())
            while (await reader.ReadAsync()) reasons.Add($"{reader.GetInt64(1)}× \"{reader.GetString(0)}\"");
        return string.Join(", ", counts) + "; most common: " + string.Join(", ", reasons);
    }

    /// <summary>Forgets the stored inventory, so that a restarted Cocktail has to read every cluster again.</summary>
    public async Task ClearInventoryAsync()
    {
        await using var command = _db.CreateCommand($"truncate {Schema}.inv_objects, {Schema}.inv_events, {Schema}.inv_summaries");
        await command.ExecuteNonQueryAsync();
    }

    public async Task<string> DescribeDatabaseAsync()
    {
        await using var command = _db.CreateCommand($"""
            select (select count(*) from pg_stat_activity where datname = current_database()),
                   (select count(*) from {Schema}.inv_objects), (select count(*) from {Schema}.inv_events),
                   pg_size_pretty(pg_database_size(current_database()))
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return $"{reader.GetInt64(0)} connections to the database, {reader.GetInt64(1)} inventory objects, {reader.GetInt64(2)} Kubernetes events, {reader.GetString(3)}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _listening; } catch (OperationCanceledException) { }
        await _db.DisposeAsync();
    }
}
