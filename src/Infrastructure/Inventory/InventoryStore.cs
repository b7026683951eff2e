using System.Text.Json;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Npgsql;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>
/// Observed cluster state in PostgreSQL tables of its own: observations, not domain events, so they are upserted
/// in bulk and never replayed. Keys make a re-list after a restart converge without duplicates.
/// </summary>
public sealed class InventoryStore(NpgsqlDataSource dataSource) : IInventoryReader
{
    private const string Schema = CocktailInfrastructure.Schema;
    public const string NotifyChannel = "cocktail_inventory";

    public static readonly string CreateSql = $"""
        create table if not exists {Schema}.inv_objects (
            cluster_id uuid not null, kind smallint not null, namespace text not null, name text not null,
            resource_version text, data jsonb not null, updated_at timestamptz not null default now(),
            primary key (cluster_id, kind, namespace, name));
        create table if not exists {Schema}.inv_events (
            cluster_id uuid not null, uid text not null, namespace text not null, type text not null,
            involved_kind text not null, involved_name text not null, last_seen timestamptz not null, data jsonb not null,
            primary key (cluster_id, uid));
        create index if not exists inv_events_recent on {Schema}.inv_events (cluster_id, last_seen desc);
        create table if not exists {Schema}.inv_summaries (
            cluster_id uuid primary key, data jsonb not null, updated_at timestamptz not null default now());
        """;

    /// <summary>Applies a batch in one transaction and tells every replica which clusters changed.</summary>
    public async Task ApplyAsync(IReadOnlyList<InventoryOperation> operations, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var batch = new NpgsqlBatch(connection, transaction);
        var pending = new Dictionary<(Guid, InventoryKind, string, string), InventoryOperation>();
        // One statement for all of them (a restart lists hundreds of thousands); the last report of an event wins.
        var events = new Dictionary<(Guid, string), KubeEventInfo>();

        void FlushPending()
        {
            AddObjectWrites(batch, pending.Values);
            pending.Clear();
            AddEventWrites(batch, events);
            events.Clear();
        }

        foreach (var op in operations)
        {
            switch (op)
            {
                case UpsertObject u: pending[(u.ClusterId, u.Kind, u.Namespace, u.Name)] = u; break;
                case DeleteObject d: pending[(d.ClusterId, d.Kind, d.Namespace, d.Name)] = d; break;
                case KeepOnly keep:
                    FlushPending();
                    batch.BatchCommands.Add(Command(
                        $"delete from {Schema}.inv_objects where cluster_id = $1 and kind = $2 and not ((namespace || '/' || name) = any($3))",
                        keep.ClusterId, (short)keep.Kind, keep.Keys.ToArray()));
                    break;
                case UpsertEvent e: events[(e.ClusterId, e.Event.Uid)] = e.Event; break;
                case UpsertSummary s:
                    batch.BatchCommands.Add(Command(
                        $"insert into {Schema}.inv_summaries (cluster_id, data) values ($1, $2::jsonb) on conflict (cluster_id) do update set data = excluded.data, updated_at = now()",
                        s.ClusterId, JsonSerializer.Serialize(s.Summary, InventoryJson.Options)));
                    break;
                case ForgetCluster f:
                    FlushPending();
                    foreach (var table in new[] { "inv_objects", "inv_events", "inv_summaries" })
                        batch.BatchCommands.Add(Command($"delete from {Schema}.{table} where cluster_id = $1", f.ClusterId));
                    break;
            }
        }
        FlushPending();
        foreach (var cluster in operations.Select(o => o.ClusterId).Distinct())
            batch.BatchCommands.Add(Command("select pg_notify($1, $2)", NotifyChannel, cluster.ToString()));

        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private static void AddObjectWrites(NpgsqlBatch batch, IEnumerable<InventoryOperation> operations)
    {
        var upserts = operations.OfType<UpsertObject>().ToList();
        var deletes = operations.OfType<DeleteObject>().ToList();
        if (upserts.Count > 0)
        {
            batch.BatchCommands.Add(Command($"""
                insert into {Schema}.inv_objects (cluster_id, kind, namespace, name, resource_version, data)
                select * from unnest($1::uuid[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
                on conflict (cluster_id, kind, namespace, name) do update
                set resource_version = excluded.resource_version, data = excluded.data, updated_at = now()
                """,
                upserts.Select(u => u.ClusterId).ToArray(), upserts.Select(u => (short)u.Kind).ToArray(),
                upserts.Select(u => u.Namespace).ToArray(), upserts.Select(u => u.Name).ToArray(),
                upserts.Select(u => u.ResourceVersion).ToArray(),
                upserts.Select(u => JsonSerializer.Serialize(u.Data, u.Data.GetType(), InventoryJson.Options)).ToArray()));
        }
        if (deletes.Count > 0)
        {
            batch.BatchCommands.Add(Command($"""
                delete from {Schema}.inv_objects o using unnest($1::uuid[], $2::smallint[], $3::text[], $4::text[]) as d(cluster_id, kind, namespace, name)
                where o.cluster_id = d.cluster_id and o.kind = d.kind and o.namespace = d.namespace and o.name = d.name
                """,
                deletes.Select(d => d.ClusterId).ToArray(), deletes.Select(d => (short)d.Kind).ToArray(),
                deletes.Select(d => d.Namespace).ToArray(), deletes.Select(d => d.Name).ToArray()));
        }
    }

    private static void AddEventWrites(NpgsqlBatch batch, Dictionary<(Guid ClusterId, string Uid), KubeEventInfo> events)
    {
        if (events.Count == 0) return;
        var rows = events.ToList();
        batch.BatchCommands.Add(Command($"""
            insert into {Schema}.inv_events (cluster_id, uid, namespace, type, involved_kind, involved_name, last_seen, data)
            select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::jsonb[])
            on conflict (cluster_id, uid) do update set type = excluded.type, last_seen = excluded.last_seen, data = excluded.data
            """,
            rows.Select(r => r.Key.ClusterId).ToArray(), rows.Select(r => r.Key.Uid).ToArray(),
            rows.Select(r => r.Value.Namespace).ToArray(), rows.Select(r => r.Value.Type).ToArray(),
            rows.Select(r => r.Value.InvolvedKind).ToArray(), rows.Select(r => r.Value.InvolvedName).ToArray(),
            rows.Select(r => r.Value.LastSeen.ToUniversalTime()).ToArray(),
            rows.Select(r => JsonSerializer.Serialize(r.Value, InventoryJson.Options)).ToArray()));
    }

    public async Task PurgeEventsOlderThanAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"delete from {Schema}.inv_events where last_seen < $1");
        command.Parameters.Add(new NpgsqlParameter { Value = cutoff.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyDictionary<Guid, ClusterSummary>> SummariesAsync(IReadOnlyCollection<Guid> clusterIds, CancellationToken ct)
    {
        if (clusterIds.Count == 0) return new Dictionary<Guid, ClusterSummary>();
        await using var command = dataSource.CreateCommand($"select cluster_id, data from {Schema}.inv_summaries where cluster_id = any($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = clusterIds.ToArray() });
        var result = new Dictionary<Guid, ClusterSummary>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            result[reader.GetGuid(0)] = JsonSerializer.Deserialize<ClusterSummary>(reader.GetString(1), InventoryJson.Options)!;
        return result;
    }

    public async Task<Page<T>> ListAsync<T>(Guid clusterId, IReadOnlyCollection<InventoryKind> kinds, InventoryFilter filter,
        int page, int pageSize, CancellationToken ct)
    {
        (page, pageSize) = Paging.Clamp(page, pageSize);
        var where = "cluster_id = $1 and kind = any($2)";
        var parameters = new List<object> { clusterId, kinds.Select(k => (short)k).ToArray() };
        void Add(string clause, object value)
        {
            parameters.Add(value);
            where += " and " + clause.Replace("$?", "$" + parameters.Count);
        }
        if (!string.IsNullOrWhiteSpace(filter.Namespace)) Add("namespace = $?", filter.Namespace);
        // A Namespace object is stored with an empty namespace and its own name.
        if (filter.Namespaces is { } only)
            Add($"(case when kind = {(short)InventoryKind.Namespace} then name else namespace end) = any($?)", only.ToArray());
        if (!string.IsNullOrWhiteSpace(filter.Search)) Add("name ilike $?", "%" + EscapeLike(filter.Search.Trim()) + "%");
        if (!string.IsNullOrWhiteSpace(filter.Node)) Add("data->>'node' = $?", filter.Node);
        if (!string.IsNullOrWhiteSpace(filter.Phase)) Add("data->>'phase' = $?", filter.Phase);

        return await PageAsync<T>($"{Schema}.inv_objects", where, "namespace, name, kind", parameters, page, pageSize, ct);
    }

    public async Task<Page<KubeEventInfo>> EventsAsync(Guid clusterId, EventFilter filter, int page, int pageSize, CancellationToken ct)
    {
        (page, pageSize) = Paging.Clamp(page, pageSize);
        var where = "cluster_id = $1";
        var parameters = new List<object> { clusterId };
        void Add(string clause, object value)
        {
            parameters.Add(value);
            where += " and " + clause.Replace("$?", "$" + parameters.Count);
        }
        if (!string.IsNullOrWhiteSpace(filter.Type)) Add("type = $?", filter.Type);
        if (!string.IsNullOrWhiteSpace(filter.Namespace)) Add("namespace = $?", filter.Namespace);
        if (filter.Namespaces is { } only) Add("namespace = any($?)", only.ToArray());
        if (!string.IsNullOrWhiteSpace(filter.Object))
        {
            var slash = filter.Object.IndexOf('/');
            if (slash > 0)
            {
                Add("lower(involved_kind) = lower($?)", filter.Object[..slash]);
                Add("involved_name = $?", filter.Object[(slash + 1)..]);
            }
            else Add("involved_name = $?", filter.Object);
        }

        return await PageAsync<KubeEventInfo>($"{Schema}.inv_events", where, "last_seen desc, uid", parameters, page, pageSize, ct);
    }

    private async Task<Page<T>> PageAsync<T>(string table, string where, string orderBy, List<object> parameters, int page,
        int pageSize, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var count = Parameterized(new NpgsqlCommand($"select count(*) from {table} where {where}", connection), parameters);
        var total = (long)(await count.ExecuteScalarAsync(ct))!;
        await using var select = Parameterized(new NpgsqlCommand(
            $"select data from {table} where {where} order by {orderBy} limit {pageSize} offset {(long)(page - 1) * pageSize}", connection), parameters);
        var items = new List<T>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            items.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), InventoryJson.Options)!);
        return new Page<T>(items, total, page, pageSize);
    }

    private static NpgsqlCommand Parameterized(NpgsqlCommand command, List<object> parameters)
    {
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return command;
    }

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    private static string EscapeLike(string value) => value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
