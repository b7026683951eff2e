namespace Cocktail.Infrastructure.Postgres;

/// <summary>Finds the machine's PostgreSQL server programs (initdb, pg_ctl).</summary>
public sealed record PostgresBinaries(string Directory)
{
    public string InitDb => Path.Combine(Directory, "initdb");
    public string PgCtl => Path.Combine(Directory, "pg_ctl");

    /// <summary>COCKTAIL_PG_BIN names the folder outright; otherwise PATH, then the usual install locations.</summary>
    public static PostgresBinaries? Locate()
    {
        var configured = Environment.GetEnvironmentVariable("COCKTAIL_PG_BIN");
        return Locate(string.IsNullOrWhiteSpace(configured) ? CandidateDirectories() : [configured]);
    }

    public static PostgresBinaries? Locate(IEnumerable<string> candidates)
    {
        foreach (var candidate in candidates)
        {
            if (File.Exists(Path.Combine(candidate, "initdb")) && File.Exists(Path.Combine(candidate, "pg_ctl")))
                return new PostgresBinaries(candidate);
        }
        return null;
    }

    private static IEnumerable<string> CandidateDirectories()
    {
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in fromPath) yield return dir;

        // Debian and Ubuntu keep the server programs off PATH, one folder per major version; prefer the newest.
        foreach (var root in new[] { "/usr/lib/postgresql", "/usr/local/pgsql" })
        {
            if (!System.IO.Directory.Exists(root)) continue;
            var versions = System.IO.Directory.GetDirectories(root)
                .Select(d => (dir: d, version: int.TryParse(Path.GetFileName(d), out var v) ? v : -1))
                .OrderByDescending(x => x.version);
            foreach (var (dir, _) in versions) yield return Path.Combine(dir, "bin");
            yield return Path.Combine(root, "bin");
        }
        yield return "/opt/homebrew/bin";
    }
}

public sealed class PostgresNotFoundException() : Exception(Explanation)
{
    public const string Explanation =
        "Cocktail needs PostgreSQL and found neither a connection string nor a PostgreSQL installation. Either:\n" +
        "  1. install PostgreSQL (for example `apt-get install -y postgresql`) and start Cocktail again: it runs its own server;\n" +
        "  2. set the connection string ConnectionStrings__Cocktail=\"Host=...;Database=...;Username=...;Password=...\"; or\n" +
        "  3. run `docker compose up`, which starts PostgreSQL and Cocktail together.";
}
