using System.Diagnostics;
using System.Net;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Npgsql;
using static Cocktail.Integration.Tests.ImageScanning.ImageGateWorld;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>A host of its own: its database is made to refuse connections while the test runs.</summary>
public sealed class ImageGateDatabaseDownApp : CocktailApp;

public sealed class ImageGateDatabaseDownTests(ImageGateDatabaseDownApp app) : IClassFixture<ImageGateDatabaseDownApp>
{
    [Fact]
    public async Task with_the_database_down_the_webhook_answers_a_clear_denial_well_within_the_webhooks_timeout()
    {
        using var admission = await AdmissionClientAsync(app);
        var database = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
        await using var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(app.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await server.OpenAsync();
        await ExecuteAsync(server, $"alter database \"{database}\" allow_connections false");
        try
        {
            await ExecuteAsync(server, $"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{database}'");
            var clock = Stopwatch.StartNew();

            var answer = await PostReviewAsync(admission, Guid.NewGuid().ToString(), Review("payments", "registry.example.com/shop/web:1.0", uid: "down-1"));

            clock.Stop();
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var response = (await answer.BodyAsync())["response"]!;
            Assert.Equal(("down-1", false, 403), ((string)response["uid"]!, (bool)response["allowed"]!, (int)response["status"]!["code"]!));
            Assert.StartsWith("Cocktail could not check the image: ", (string)response["status"]!["message"]!);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"answered after {clock.Elapsed}, past the budget");
        }
        finally
        {
            await ExecuteAsync(server, $"alter database \"{database}\" allow_connections true");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
