using System.Diagnostics;
using Npgsql;

namespace Cocktail.Benchmarks.Access;

/// <summary>
/// CPU time spent by this process (Cocktail, the load generator, KubeSim) and by the PostgreSQL server it uses (the
/// postmaster and its backends), read from /proc. CPU time per event does not depend on what else the machine runs,
/// where events per second do.
/// </summary>
public sealed class CpuMeter
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly int? _postmaster;

    private CpuMeter(int? postmaster) => _postmaster = postmaster;

    public static async Task<CpuMeter> ForAsync(string connectionString)
    {
        try
        {
            await using var data = NpgsqlDataSource.Create(connectionString);
            await using var command = data.CreateCommand("show data_directory");
            var folder = (string)(await command.ExecuteScalarAsync())!;
            var pid = int.Parse(File.ReadLines(Path.Combine(folder, "postmaster.pid")).First().Trim());
            return new CpuMeter(pid);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PostgresException or FormatException)
        {
            return new CpuMeter(null);
        }
    }

    public (TimeSpan Self, TimeSpan? Postgres) Read() => (ProcessTime(), _postmaster is { } pid ? PostgresTime(pid) : null);

    /// <summary>CPU time spent by this process alone, for a figure that needs no database.</summary>
    public static TimeSpan ProcessTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static TimeSpan? PostgresTime(int postmaster)
    {
        if (!Directory.Exists("/proc")) return null;
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // Fields after the command name (which may hold spaces) start after the last ')'.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1]);
                if (pid != postmaster && parent != postmaster) continue;
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended meanwhile.
            }
        }
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
