namespace Cocktail.Infrastructure.Postgres;

public sealed record EmbeddedPostgresOptions
{
    /// <summary>Folder that holds the server's data (`pgdata`), its password and its log.</summary>
    public required string DataRoot { get; init; }

    public string DatabaseName { get; init; } = "cocktail";

    /// <summary>
    /// Throwaway servers (tests) trade durability for speed: fsync and synchronous commit are off and the folder is
    /// deleted when the server stops.
    /// </summary>
    public bool Throwaway { get; init; }

    public static string DefaultDataRoot()
    {
        var configured = Environment.GetEnvironmentVariable("COCKTAIL_DATA_DIR");
        if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
        // root's home is closed to the postgres user that must run the server, so root keeps its data where services do.
        if (Environment.IsPrivilegedProcess) return "/var/lib/cocktail";
        var userData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return Path.Combine(userData, "cocktail");
    }
}
