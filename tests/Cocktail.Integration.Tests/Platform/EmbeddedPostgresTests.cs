using System.Diagnostics;
using Cocktail.Infrastructure.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Cocktail.Integration.Tests.Platform;

/// <summary>The launcher behind "run the console with nothing installed but PostgreSQL".</summary>
public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"cocktail-pg-test-{Guid.NewGuid():N}");

    private EmbeddedPostgresOptions Options => new() { DataRoot = _folder, DatabaseName = "cocktail" };

    [Fact]
    public async Task a_second_start_finds_the_data_of_the_first()
    {
        await using (var first = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance))
            await ExecuteAsync(first.ConnectionString, "create table kept (value text); insert into kept values ('still here')");

        await using var second = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);

        Assert.Equal("still here", await ScalarAsync(second.ConnectionString, "select value from kept"));
    }

    [Fact]
    public async Task a_stale_pid_file_left_by_a_killed_run_does_not_stop_the_next_start()
    {
        await using (var first = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance))
            await ExecuteAsync(first.ConnectionString, "create table kept (value int)");
        // What a power cut leaves behind: the lock file naming a process that no longer exists.
        var pidFile = Path.Combine(_folder, "postgres", "pgdata", "postmaster.pid");
        await File.WriteAllTextAsync(pidFile, $"{DeadPid()}\n{_folder}\n1700000000\n5432\n/tmp\n127.0.0.1\n  1234   5678\nready\n");

        await using var second = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);

        Assert.Equal(0L, await ScalarAsync(second.ConnectionString, "select count(*) from kept"));
    }

    [Fact]
    public async Task a_server_left_running_by_a_killed_run_is_adopted()
    {
        var first = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);
        await ExecuteAsync(first.ConnectionString, "create table kept (value int)");
        NpgsqlConnection.ClearAllPools();
        // The first run "dies" without stopping its server.

        await using var second = await EmbeddedPostgres.StartAsync(Options, NullLogger.Instance);

        Assert.Equal(first.Port, second.Port);
        Assert.Equal(0L, await ScalarAsync(second.ConnectionString, "select count(*) from kept"));
    }

    [Fact]
    public void without_postgresql_the_explanation_names_the_three_ways_out()
    {
        Assert.Null(PostgresBinaries.Locate([Path.Combine(_folder, "no-such-bin")]));
        var message = new PostgresNotFoundException().Message;
        Assert.Contains("apt-get install -y postgresql", message);
        Assert.Contains("ConnectionStrings__Cocktail", message);
        Assert.Contains("docker compose up", message);
    }

    [Fact]
    public async Task the_app_exits_with_the_explanation_when_there_is_no_postgresql_and_no_connection_string()
    {
        var app = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [app]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["COCKTAIL_PG_BIN"] = Path.Combine(_folder, "no-such-bin");
        start.Environment["COCKTAIL_DATA_DIR"] = _folder;
        start.Environment.Remove("ConnectionStrings__Cocktail");

        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("docker compose up", stderr);
    }

    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true"))!;
        process.WaitForExit();
        return process.Id;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        // Stop whatever a test left running in its folder, then remove the folder.
        var binaries = PostgresBinaries.Locate();
        var pgdata = Path.Combine(_folder, "postgres", "pgdata");
        if (binaries is not null && File.Exists(Path.Combine(pgdata, "postmaster.pid")))
        {
            var stop = Environment.IsPrivilegedProcess
                ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", binaries.PgCtl, "stop", "-D", pgdata, "-m", "immediate"])
                : new ProcessStartInfo(binaries.PgCtl, ["stop", "-D", pgdata, "-m", "immediate"]);
            stop.RedirectStandardOutput = stop.RedirectStandardError = true;
            Process.Start(stop)?.WaitForExit(30_000);
        }
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
