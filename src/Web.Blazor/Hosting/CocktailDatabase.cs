using Cocktail.Infrastructure.Postgres;

namespace Cocktail.Web.Hosting;

/// <summary>
/// Uses the configured connection string, or else starts PostgreSQL from the machine's installation in Cocktail's
/// data folder; the caller stops it when the app has stopped (or failed to start).
/// </summary>
public static class CocktailDatabase
{
    public const string ConnectionStringName = "Cocktail";

    public static async Task<(string ConnectionString, EmbeddedPostgres? Embedded)> ResolveAsync(WebApplicationBuilder builder)
    {
        var configured = builder.Configuration.GetConnectionString(ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured)) return (configured, null);

        using var loggerFactory = LoggerFactory.Create(l => l.AddSimpleConsole(o => o.SingleLine = true));
        var logger = loggerFactory.CreateLogger("Cocktail.EmbeddedPostgres");
        var dataRoot = builder.Configuration["Cocktail:DataDirectory"] ?? EmbeddedPostgresOptions.DefaultDataRoot();
        var server = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataRoot = dataRoot }, logger);
        return (server.ConnectionString, server);
    }
}
