using Cocktail.Infrastructure.Postgres;
using Cocktail.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cocktail.Benchmarks;

/// <summary>A durable PostgreSQL of its own (fsync on, as production runs), or the tests' throwaway one without fsync.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _server;
    private readonly string? _folder;

    private BenchDatabase(string connectionString, EmbeddedPostgres? server, string? folder)
    {
        ConnectionString = connectionString;
        _server = server;
        _folder = folder;
    }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> StartAsync(bool fast)
    {
        if (fast) return new BenchDatabase(await TestPostgres.CreateDatabaseAsync("bench"), null, null);
        // Not CreateTempSubdirectory (mode 700): as root, the server runs as the postgres user, who must enter it.
        var folder = Path.Combine(Path.GetTempPath(), $"cocktail-bench-pg-{Guid.NewGuid():N}"[..30]);
        var server = await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataRoot = folder, DatabaseName = "cocktail_bench" }, NullLogger.Instance);
        return new BenchDatabase(server.ConnectionString, server, folder);
    }

    public static string Describe(bool fast) => fast ? "without fsync" : "durable (fsync on)";

    public async ValueTask DisposeAsync()
    {
        if (_server is null) return;
        await _server.StopAsync();
        Directory.Delete(_folder!, recursive: true);
    }
}
