using System.Diagnostics;
using Cocktail.Application.KubernetesAudit;
using Cocktail.Infrastructure.KubernetesAudit;
using Npgsql;
using NpgsqlTypes;

namespace Cocktail.Benchmarks.Access;

/// <summary>
/// The ceiling for audit ingest on this machine at this moment: the same rows, in the same batches, by as many writers
/// as there are senders, written with a binary COPY straight into a table of the same shape (partitions, primary key,
/// indexes) on the same durable PostgreSQL, one commit per batch as the webhook acknowledges. No HTTP, no parse, no
/// authentication: what is left when Cocktail costs nothing. Its own database, so the two runs do not share a table.
/// </summary>
public sealed class CopyCeiling : IAsyncDisposable
{
    private const string Columns =
        "cluster_id, audit_id, stage, ts, stage_ts, verb, username, groups, impersonated, source_ips, user_agent, resource, subresource, " +
        "namespace, name, api_group, api_version, request_uri, code, level, grant_id, cocktail_user, event";

    private readonly NpgsqlDataSource _data;

    private CopyCeiling(NpgsqlDataSource data) => _data = data;

    public static async Task<CopyCeiling> CreateAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var name = builder.Database + "_ceiling";
        await using (var server = NpgsqlDataSource.Create(connectionString))
        {
            await using var exists = server.CreateCommand($"select count(*) from pg_database where datname = '{name}'");
            if ((long)(await exists.ExecuteScalarAsync())! == 0)
            {
                await using var create = server.CreateCommand($"create database \"{name}\"");
                await create.ExecuteNonQueryAsync();
            }
        }
        builder.Database = name;
        var data = NpgsqlDataSource.Create(builder.ConnectionString);
        await using (var schema = data.CreateCommand($"create schema if not exists cocktail; {KubernetesAuditStore.CreateSql}"))
            await schema.ExecuteNonQueryAsync();
        await new KubernetesAuditStore(data).EnsurePartitionsAsync(DateTimeOffset.UtcNow, default);
        return new CopyCeiling(data);
    }

    /// <summary>Batches as the senders post them, parsed once beforehand (the ceiling does no parsing).</summary>
    public static IReadOnlyList<IReadOnlyList<Row>> Batches(int count, int batch, Guid clusterId)
    {
        var audit = new SyntheticAudit(seed: 11);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var (events, error) = AuditEventListParser.Parse(clusterId, audit.EventList(batch, DateTimeOffset.UtcNow));
            return error is null ? events.Select(e => new Row(e.Record, e.RawJson.ToArray())).ToList() : throw new InvalidOperationException(error);
        }).ToList();
    }

    /// <summary>Rows per second committed by <paramref name="writers"/> concurrent COPYs of whole batches.</summary>
    public async Task<double> RowsPerSecondAsync(IReadOnlyList<IReadOnlyList<Row>> batches, int writers, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var rows = await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => WriteAsync(batches, i, until))));
        return rows.Sum() / clock.Elapsed.TotalSeconds;
    }

    private async Task<long> WriteAsync(IReadOnlyList<IReadOnlyList<Row>> batches, int writer, long until)
    {
        long rows = 0;
        await using var connection = await _data.OpenConnectionAsync();
        for (var n = writer; Stopwatch.GetTimestamp() < until; n++)
        {
            var now = DateTimeOffset.UtcNow;
            await using var copy = await connection.BeginBinaryImportAsync($"copy cocktail.k8s_audit ({Columns}) from stdin (format binary)");
            foreach (var e in batches[n % batches.Count])
            {
                var r = e.Record;
                await copy.StartRowAsync();
                await copy.WriteAsync(r.ClusterId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid); // the same row again would be a duplicate key
                await copy.WriteAsync(r.Stage, NpgsqlDbType.Text);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await WriteOrNull(copy, r.StageTimestamp is null ? (DateTimeOffset?)null : now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(r.Verb, NpgsqlDbType.Text);
                await copy.WriteAsync(r.User, NpgsqlDbType.Text);
                await copy.WriteAsync(r.Groups as string[] ?? [.. r.Groups], NpgsqlDbType.Array | NpgsqlDbType.Text);
                await WriteOrNull(copy, r.ImpersonatedUser);
                await copy.WriteAsync(r.SourceIps as string[] ?? [.. r.SourceIps], NpgsqlDbType.Array | NpgsqlDbType.Text);
                await WriteOrNull(copy, r.UserAgent);
                await WriteOrNull(copy, r.Resource);
                await WriteOrNull(copy, r.Subresource);
                await WriteOrNull(copy, r.Namespace);
                await WriteOrNull(copy, r.Name);
                await WriteOrNull(copy, r.ApiGroup);
                await WriteOrNull(copy, r.ApiVersion);
                await copy.WriteAsync(r.RequestUri, NpgsqlDbType.Text);
                await WriteOrNull(copy, r.Code, NpgsqlDbType.Integer);
                await copy.WriteAsync(r.Level, NpgsqlDbType.Text);
                await WriteOrNull(copy, r.GrantId, NpgsqlDbType.Uuid);
                await WriteOrNull(copy, r.CocktailUser);
                await copy.WriteAsync(e.Raw, NpgsqlDbType.Text); // UTF-8 as it came, as text
            }
            rows += (long)await copy.CompleteAsync();
        }
        return rows;
    }

    /// <summary>An event's columns and its raw JSON as UTF-8.</summary>
    public sealed record Row(AuditRecord Record, byte[] Raw);

    private static Task WriteOrNull(NpgsqlBinaryImporter copy, string? value) =>
        value is null ? copy.WriteNullAsync() : copy.WriteAsync(value, NpgsqlDbType.Text);

    private static Task WriteOrNull<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type) : copy.WriteNullAsync();

    public ValueTask DisposeAsync() => _data.DisposeAsync();
}
