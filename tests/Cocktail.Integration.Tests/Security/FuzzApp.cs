using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Workloads;
using Cocktail.KubeSim;
using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Security;

/// <summary>
/// One host, one database and one simulated cluster for the fuzz suite, with a real object of every kind, so that a
/// mutated request carries real ids everywhere else and gets past "not found" into validation and the handlers.
/// </summary>
public sealed class FuzzApp : AccessApp, IAsyncLifetime
{
    private KubeSimCluster? _sim;

    public HttpClient Admin { get; private set; } = default!;
    public OpenApiOperations Api { get; private set; } = default!;
    public string Kubeconfig => _sim!.AdminKubeconfigYaml;

    /// <summary>Real ids by the resource they name (`clusters`, `users`...), for path parameters and `...Id` body fields.</summary>
    public Dictionary<string, string> Ids { get; } = new();

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Admin = await AsAdminAsync();
        Api = await OpenApiOperations.ReadAsync(Admin);
        _sim = await Clusters.ClusterApp.StartClusterAsync(nodes: 1);
        var tenancy = await Tenancy.Tenancy.CreateAsync(this, sim: _sim);
        Ids["clusters"] = tenancy.ClusterId;
        Ids["workspaces"] = tenancy.WorkspaceId;
        Ids["members"] = tenancy.Developer.Id.ToString();
        Ids["users"] = (await CreateUserAsync()).Id.ToString();
        var map = await tenancy.CreateServiceMapAsync(Admin, "fuzz");
        Ids["service-maps"] = (string)map["id"]!;
        var workload = await Workloads.Workloads.DeployAsync(Admin, Ids["service-maps"], Workloads.Workloads.Web());
        Ids["workloads"] = (string)workload["id"]!;
        var grant = await Grants.GrantAsync(Admin, new
        {
            userId = tenancy.Developer.Id, clusterId = tenancy.ClusterId, scope = "Cluster", role = "view",
            validUntil = DateTimeOffset.UtcNow.AddDays(1), reason = "fuzz",
        });
        Ids["access-grants"] = (string)grant["grant"]!["id"]!;
        var request = await tenancy.Developer.Client.PostAsJsonAsync("/api/v1/access-requests", new
        {
            clusterId = tenancy.ClusterId, scope = "Cluster", role = "view", durationHours = 1, reason = "fuzz",
        });
        Ids["access-requests"] = (string)(await Created(request))["id"]!;
        var quota = await tenancy.Developer.Client.PostAsJsonAsync("/api/v1/quota-requests", new
        {
            workspaceId = tenancy.WorkspaceId, clusterId = tenancy.ClusterId, quota = new { cpu = "2" }, reason = "fuzz",
        });
        Ids["quota-requests"] = (string)(await Created(quota))["id"]!;
        // A token of the admin's other than the one the fuzzer signs in with, so revoking it loses nothing.
        using var anonymous = Anonymous();
        var spare = await anonymous.PostAsJsonAsync("/api/v1/auth/tokens",
            new { userName = AdminUserName, password = AdminPassword, name = "fuzz-spare", expiresInDays = 1 });
        Ids["tokens"] = (string)(await Created(spare))["id"]!;
        Ids["streams"] = tenancy.WorkspaceId;
        var channel = await Created(await Admin.PostAsJsonAsync($"/api/v1/workspaces/{tenancy.WorkspaceId}/notification-channels",
            new { name = "fuzz", type = "Webhook", url = "http://127.0.0.1:9/fuzz" }));
        Ids["notification-channels"] = (string)channel["channel"]!["id"]!;
        Ids["notification-routes"] = (string)(await Created(await Admin.PostAsJsonAsync($"/api/v1/workspaces/{tenancy.WorkspaceId}/notification-routes",
            new { name = "fuzz", channelIds = new[] { Ids["notification-channels"] } })))["id"]!;
        Ids["audit"] = Guid.CreateVersion7().ToString();
        foreach (var (resource, id) in Ids)
            if (!Guid.TryParse(id, out _)) throw new InvalidOperationException($"no id for {resource}: '{id}'");
    }

    private static async Task<JsonNode> Created(HttpResponseMessage response)
    {
        var body = await response.BodyAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }

    public new async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (_sim is not null) await _sim.DisposeAsync();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class FuzzCollection : ICollectionFixture<FuzzApp>
{
    public const string Name = "fuzz";
}
