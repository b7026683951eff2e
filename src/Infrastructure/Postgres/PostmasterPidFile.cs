namespace Cocktail.Infrastructure.Postgres;

/// <summary>Reads PostgreSQL's lock file: line 1 is the postmaster's pid, line 4 its port.</summary>
internal static class PostmasterPidFile
{
    public static (int Pid, int? Port)? Read(string clusterDirectory)
    {
        var path = Path.Combine(clusterDirectory, "postmaster.pid");
        if (!File.Exists(path)) return null;
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || !int.TryParse(lines[0].Trim(), out var pid)) return null;
        int? port = lines.Length > 3 && int.TryParse(lines[3].Trim(), out var p) ? p : null;
        return (pid, port);
    }

    /// <summary>The pid may have been reused by an unrelated program after a crash, so look at what it runs.</summary>
    public static bool IsPostgresProcess(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("postgres", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
