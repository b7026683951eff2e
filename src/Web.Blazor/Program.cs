using Cocktail.Infrastructure;
using Cocktail.Infrastructure.Postgres;
using Cocktail.Web.Hosting;
using Wolverine;

var builder = WebApplication.CreateBuilder(args);
// `dotnet run` serves the console's scripts and styles from the build output in every environment, not only in
// Development; a published app carries them in wwwroot and this does nothing.
builder.WebHost.UseStaticWebAssets();

string connectionString;
EmbeddedPostgres? embedded;
try
{
    (connectionString, embedded) = await CocktailDatabase.ResolveAsync(builder);
}
catch (PostgresNotFoundException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

try
{
    builder.Services.AddCocktailCore(builder.Configuration, connectionString);
    builder.Host.UseWolverine(options =>
    {
        // Named, not inferred: under a test host the entry assembly is the test runner's.
        options.ApplicationAssembly = typeof(Program).Assembly;
        options.ConfigureCocktailMessaging();
    });
    builder.Services.AddCocktailWeb(builder.Configuration);
    builder.Services.AddHostedService<BootstrapAdminOnFirstStart>();

    var app = builder.Build();
    app.UseCocktailWeb();
    await app.RunAsync();
    return 0;
}
finally
{
    // Also when start-up fails: an embedded server left running would hold the data folder.
    if (embedded is not null) await embedded.StopAsync();
}

/// <summary>Visible to the test host (WebApplicationFactory).</summary>
public partial class Program;
