using Cocktail.Infrastructure.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cocktail.Testing;

/// <summary>
/// One real PostgreSQL server per test process: the one named by COCKTAIL_TEST_PG, or a throwaway server started
/// from the machine's installation with the same launcher the app uses. Each test host gets a database of its own.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var admin = new NpgsqlConnectionStringBuilder(await Server.Value) { Pooling = false };
        var name = $"{purpose}_{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 33, 63)].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
    }

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("COCKTAIL_TEST_PG");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        SweepLeftovers();
        var folder = Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var server = await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { DataRoot = folder, Throwaway = true, DatabaseName = "postgres" }, NullLogger.Instance);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.StopAsync().GetAwaiter().GetResult();
        return server.ConnectionString;
    }

    private const string Prefix = "cocktail-test-pg-";

    /// <summary>
    /// The test runner may end a test process while it is still deleting its server's folder (about 120 MB each), so
    /// every start removes the folders of test processes that are gone and whose server has stopped.
    /// </summary>
    private static void SweepLeftovers()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            var name = Path.GetFileName(folder)[Prefix.Length..];
            if (!int.TryParse(name[..Math.Max(0, name.IndexOf('-'))], out var pid) || ProcessIsAlive(pid)) continue;
            if (Directory.EnumerateFiles(folder, "postmaster.pid", SearchOption.AllDirectories).Any(ServerIsRunning)) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool ServerIsRunning(string pidFile)
    {
        try { return !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) || ProcessIsAlive(pid); }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return true; }
    }

    private static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
