using Marten;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Cocktail.Infrastructure.EventStore;

/// <summary>
/// Audit search filters the event table by time and by actor; Marten indexes it by stream and sequence only.
/// Marten is told to leave these indexes alone (see <see cref="Names"/>).
/// </summary>
public sealed class EventLogIndexes(IDocumentStore store, NpgsqlDataSource dataSource) : IHostedService
{
    public static readonly string[] Names = ["cocktail_events_timestamp", "cocktail_events_user_name"];

    public async Task StartAsync(CancellationToken ct)
    {
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"create index if not exists {Names[0]} on {schema}.mt_events (timestamp desc);" +
            $"create index if not exists {Names[1]} on {schema}.mt_events (user_name, seq_id desc);", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
