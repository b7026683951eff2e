using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Cocktail.Infrastructure.Postgres;

/// <summary>
/// Runs a PostgreSQL server from the machine's installation in a folder of Cocktail's own, on a free loopback port,
/// so that Cocktail (and its tests) need nothing started beforehand.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string SuperUser = "cocktail";
    private readonly EmbeddedPostgresOptions _options;
    private readonly PostgresBinaries _binaries;
    private readonly ProcessRunner _runner;
    private readonly ILogger _logger;
    private bool _stopped;

    private EmbeddedPostgres(EmbeddedPostgresOptions options, PostgresBinaries binaries, ILogger logger)
    {
        _options = options;
        _binaries = binaries;
        _logger = logger;
        _runner = new ProcessRunner(Environment.IsPrivilegedProcess ? "postgres" : null);
    }

    public string ConnectionString { get; private set; } = "";
    public int Port { get; private set; }

    private string DataRoot => _options.DataRoot;
    private string ClusterDirectory => Path.Combine(DataRoot, "postgres", "pgdata");
    private string RunDirectory => Path.Combine(DataRoot, "postgres", "run");
    private string PasswordFile => Path.Combine(DataRoot, "postgres-password");
    private string LogFile => Path.Combine(RunDirectory, "postgres.log");

    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct = default)
    {
        var binaries = PostgresBinaries.Locate() ?? throw new PostgresNotFoundException();
        var server = new EmbeddedPostgres(options, binaries, logger);
        await server.StartAsync(ct);
        return server;
    }

    private async Task StartAsync(CancellationToken ct)
    {
        await PrepareFoldersAsync(ct);
        var password = EnsurePassword();
        if (!File.Exists(Path.Combine(ClusterDirectory, "PG_VERSION")))
            await InitializeClusterAsync(password, ct);

        var adopted = await TryAdoptRunningServerAsync(ct);
        if (!adopted)
        {
            RemoveStalePidFile();
            await StartServerAsync(ct);
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = SuperUser, Password = password,
            Database = _options.DatabaseName, MaxPoolSize = 100,
        };
        ConnectionString = builder.ConnectionString;
        await EnsureDatabaseAsync(builder, ct);
        _logger.LogInformation("PostgreSQL {Mode} on 127.0.0.1:{Port}, data in {Folder}",
            adopted ? "adopted" : "started", Port, ClusterDirectory);
    }

    private async Task PrepareFoldersAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(DataRoot);
        Directory.CreateDirectory(ClusterDirectory);
        Directory.CreateDirectory(RunDirectory);
        if (_runner.RunAsUser is null)
        {
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(ClusterDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return;
        }

        var owned = Path.Combine(DataRoot, "postgres");
        var chown = await new ProcessRunner(null).RunAsync("chown", ["-R", $"{_runner.RunAsUser}:", owned], ct);
        if (chown.ExitCode != 0)
            throw new InvalidOperationException($"Could not give {owned} to the '{_runner.RunAsUser}' user: {chown.Output}");
        var reach = await _runner.RunAsync("test", ["-w", ClusterDirectory], ct);
        if (reach.ExitCode != 0)
            throw new InvalidOperationException(
                $"The '{_runner.RunAsUser}' user that runs PostgreSQL cannot reach {ClusterDirectory}. " +
                "Set COCKTAIL_DATA_DIR to a folder whose parents it may enter (for example under /var/lib or /srv).");
    }

    private string EnsurePassword()
    {
        if (File.Exists(PasswordFile)) return File.ReadAllText(PasswordFile).Trim();
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        File.WriteAllText(PasswordFile, password);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(PasswordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return password;
    }

    private async Task InitializeClusterAsync(string password, CancellationToken ct)
    {
        // initdb reads the password from a file that the server's user must be able to read; it lives a moment only.
        var pwFile = Path.Combine(RunDirectory, "initdb-password");
        await File.WriteAllTextAsync(pwFile, password, ct);
        try
        {
            if (_runner.RunAsUser is not null)
                await new ProcessRunner(null).RunAsync("chown", [$"{_runner.RunAsUser}:", pwFile], ct);
            var result = await _runner.RunAsync(_binaries.InitDb,
                ["-D", ClusterDirectory, "-U", SuperUser, "--auth=scram-sha-256", $"--pwfile={pwFile}",
                 "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"], ct);
            if (result.ExitCode != 0)
                throw new InvalidOperationException($"initdb failed for {ClusterDirectory}:\n{result.Output}");
        }
        finally
        {
            File.Delete(pwFile);
        }
    }

    /// <summary>A server left running by a run that was killed still owns the folder: use it rather than fight it.</summary>
    private async Task<bool> TryAdoptRunningServerAsync(CancellationToken ct)
    {
        var pid = PostmasterPidFile.Read(ClusterDirectory);
        if (pid is null || !PostmasterPidFile.IsPostgresProcess(pid.Value.Pid)) return false;
        var status = await _runner.RunAsync(_binaries.PgCtl, ["status", "-D", ClusterDirectory], ct);
        if (status.ExitCode != 0 || pid.Value.Port is null) return false;
        Port = pid.Value.Port.Value;
        return true;
    }

    private void RemoveStalePidFile()
    {
        var pid = PostmasterPidFile.Read(ClusterDirectory);
        if (pid is null || PostmasterPidFile.IsPostgresProcess(pid.Value.Pid)) return;
        _logger.LogWarning("Removing the stale postmaster.pid (pid {Pid} is gone) left by a run that did not stop cleanly", pid.Value.Pid);
        File.Delete(Path.Combine(ClusterDirectory, "postmaster.pid"));
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        const int attempts = 3; // another program may take the port between choosing it and the server binding it
        for (var attempt = 1; ; attempt++)
        {
            Port = FreeLoopbackPort();
            // A throwaway server serves a whole test run: several app hosts at once, each with its own pool (a full
            // integration run on 2 cores peaks near 120 connections; more cores run more hosts at once).
            var maxConnections = _options.Throwaway ? 1000 : 300;
            var settings = $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories='{RunDirectory}' -c max_connections={maxConnections}";
            if (_options.Throwaway)
                settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB";
            var result = await _runner.RunAsync(_binaries.PgCtl,
                ["start", "-D", ClusterDirectory, "-l", LogFile, "-w", "-t", "60", "-o", settings], ct);
            if (result.ExitCode == 0) return;
            if (attempt == attempts)
                throw new InvalidOperationException($"PostgreSQL did not start from {ClusterDirectory}:\n{result.Output}\n{TailOfLog()}");
        }
    }

    private string TailOfLog()
    {
        try { return string.Join('\n', File.ReadLines(LogFile).TakeLast(20)); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task EnsureDatabaseAsync(NpgsqlConnectionStringBuilder target, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", target.Database!);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        await using var create = new NpgsqlCommand($"create database \"{target.Database}\"", connection);
        await create.ExecuteNonQueryAsync(ct);
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        NpgsqlConnection.ClearAllPools();
        var result = await _runner.RunAsync(_binaries.PgCtl, ["stop", "-D", ClusterDirectory, "-m", "fast", "-w", "-t", "30"], CancellationToken.None);
        if (result.ExitCode != 0) _logger.LogWarning("pg_ctl stop: {Output}", result.Output);
        if (_options.Throwaway) TryDelete(DataRoot);
    }

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
