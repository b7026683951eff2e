using Npgsql;

namespace Cocktail.Benchmarks.Reconcile;

/// <summary>
/// Reads the verdicts the reconciler records, straight from Marten's event table. Each event carries the time its
/// transaction committed, so a latency is measured to that moment, not to when this poll happened to look.
/// </summary>
public sealed class ReadyEvents(string connectionString) : IAsyncDisposable
{
    private const string Schema = "cocktail";
    private readonly NpgsqlDataSource _db = NpgsqlDataSource.Create(connectionString);
    private readonly Dictionary<Guid, DateTimeOffset> _ready = [];
    private readonly Dictionary<Guid, string> _failed = [];

    public IReadOnlyDictionary<Guid, DateTimeOffset> Ready => _ready;
    public IReadOnlyDictionary<Guid, string> Failed => _failed;

    /// <summary>
    /// Reads every verdict recorded so far (a few hundred rows at most here). Not "since the last sequence number":
    /// concurrent transactions commit out of sequence order, and one committed late would be missed.
    /// </summary>
    public async Task PollAsync(CancellationToken ct = default)
    {
        await using var command = _db.CreateCommand($"""
            select stream_id, type, timestamp, data->>'error'
            from {Schema}.mt_events
            where type = any($1)
            order by seq_id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = new[] { "service_map_became_ready", "service_map_reconcile_failed" } });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (reader.GetString(1) == "service_map_became_ready") _ready.TryAdd(id, reader.GetFieldValue<DateTimeOffset>(2));
            else _failed[id] = reader.IsDBNull(3) ? "" : reader.GetString(3);
        }
    }

    /// <summary>Polls until every one of <paramref name="ids"/> is Ready (true), one failed, or the deadline passes.</summary>
    public async Task<bool> WaitForAsync(IReadOnlyCollection<Guid> ids, TimeSpan timeout, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await PollAsync();
            if (ids.All(_ready.ContainsKey)) return true;
            if (ids.FirstOrDefault(_failed.ContainsKey) is var failed && failed != Guid.Empty)
                throw new InvalidOperationException($"Service map {failed} failed: {_failed[failed]}");
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(5));
        }
    }

    /// <summary>When each service map's creation committed (its stream's first event).</summary>
    public async Task<IReadOnlyDictionary<Guid, DateTimeOffset>> CreatedAsync()
    {
        await using var command = _db.CreateCommand(
            $"select stream_id, timestamp from {Schema}.mt_events where type = 'service_map_created'");
        await using var reader = await command.ExecuteReaderAsync();
        var created = new Dictionary<Guid, DateTimeOffset>();
        while (await reader.ReadAsync()) created[reader.GetGuid(0)] = reader.GetFieldValue<DateTimeOffset>(1);
        return created;
    }

    public async ValueTask DisposeAsync() => await _db.DisposeAsync();
}
