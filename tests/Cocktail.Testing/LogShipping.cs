using System.Net.Http.Json;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Otlp;

namespace Cocktail.Testing;

/// <summary>Makes a simulated cluster send its containers' log lines to a running Cocktail, as a collector DaemonSet would.</summary>
public static class LogShipping
{
    /// <summary>
    /// Creates (or rotates) the registered cluster's log token through the API as the admin, and has
    /// <paramref name="cluster"/> ship its lines to this app's <c>/v1/logs</c> with it (protobuf, gzip, batches of
    /// 200 ms). Answers the token. <paramref name="configure"/> changes the shipping options (batch size, retries...).
    /// <code>await app.ShipLogsAsync(sim, clusterId);</code>
    /// </summary>
    public static async Task<string> ShipLogsAsync(this CocktailApp app, KubeSimCluster cluster, Guid clusterId,
        Func<LogShippingOptions, LogShippingOptions>? configure = null)
    {
        using var admin = await app.AsAdminAsync();
        var token = await CreateLogTokenAsync(admin, clusterId);
        var options = new LogShippingOptions { Endpoint = new Uri(app.BaseAddress, "/v1/logs"), Token = token };
        await cluster.LogShipping.ConfigureAsync(configure?.Invoke(options) ?? options);
        return token;
    }

    /// <summary>POST /api/v1/clusters/{id}/log-collector/rotate; the token is remembered as a secret no log may show.</summary>
    public static async Task<string> CreateLogTokenAsync(HttpClient admin, Guid clusterId)
    {
        var response = await admin.PostAsync($"/api/v1/clusters/{clusterId}/log-collector/rotate", null);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Creating the log token failed: {(int)response.StatusCode} {text}");
        var setUp = System.Text.Json.JsonSerializer.Deserialize<SetUp>(text, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        return TestSecrets.Remember(setUp!.Token);
    }

    private sealed record SetUp(string Token);
}
