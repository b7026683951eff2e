using Cocktail.Infrastructure.Inventory;
using Marten;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Cocktail.Infrastructure.EventStore;

/// <summary>
/// Creates Cocktail's database objects before anything else starts: its own tables (inventory, data protection
/// keys), Marten's, and the event-log indexes. One transaction-scoped advisory lock serialises replicas starting
/// together; registered first so that no other start-up work races it.
/// </summary>
public sealed class DatabaseSetup(NpgsqlDataSource dataSource, IDocumentStore store) : IHostedService
{
    private const long SchemaLockKey = 0x636b746c73636d; // "cktlscm"

    public static readonly string[] EventLogIndexNames = ["cocktail_events_timestamp", "cocktail_events_user_name"];

    public async Task StartAsync(CancellationToken ct)
    {
        await EnsureOwnTablesAsync(dataSource, ct);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var command = dataSource.CreateCommand(
            $"create index if not exists {EventLogIndexNames[0]} on {schema}.mt_events (timestamp desc);" +
            $"create index if not exists {EventLogIndexNames[1]} on {schema}.mt_events (user_name, seq_id desc);");
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task EnsureOwnTablesAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand($"select pg_advisory_xact_lock({SchemaLockKey})", connection, transaction))
            await lockCommand.ExecuteNonQueryAsync(ct);
        await using (var create = new NpgsqlCommand(
            $"create schema if not exists {CocktailInfrastructure.Schema};" + InventoryStore.CreateSql + Security.PostgresXmlRepository.CreateSql +
            KubernetesAudit.KubernetesAuditStore.CreateSql + Logs.PostgresLogStore.CreateSql,
            connection, transaction))
            await create.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
