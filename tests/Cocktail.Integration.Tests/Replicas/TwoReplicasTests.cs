using System.Diagnostics;
using Cocktail.Application.Logs;
using Cocktail.Infrastructure.Inventory;
using Cocktail.Integration.Tests.Access;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cocktail.Integration.Tests.Replicas;

/// <summary>
/// Two Cocktail replicas on one database, as a production deployment runs them: background work happens once, and
/// moves to the survivor when the replica doing it dies.
/// </summary>
public sealed class TwoReplicasTests
{
    /// <summary>What a single replica watching a cluster opens: one watch per followed resource.</summary>
    private static readonly string[] WatchedByOneReplica = ["pods", "nodes", "namespaces", "apps/deployments"];

    [Fact]
    public async Task each_cluster_is_watched_by_one_replica_and_the_survivor_takes_over_when_it_dies()
    {
        await using var sim = await ClusterApp.StartClusterAsync(pods: 2);
        var database = await TestPostgres.CreateDatabaseAsync("replicas");
        await using var a = await StartReplicaAsync(database, "replica-a");
        await using var b = await StartReplicaAsync(database, "replica-b");
        using var adminA = await a.AsAdminAsync();
        using var adminB = await b.AsAdminAsync();
        var id = Guid.Parse((string)(await ClusterApp.RegisterAsync(adminB, sim))["cluster"]!["id"]!);

        await ClusterApp.WaitForAsync(adminA, $"/api/v1/clusters/{id}/pods", p => (int?)p["total"] == 2, "the first sync, read through either replica");
        await ClusterApp.WaitForAsync(adminB, $"/api/v1/clusters/{id}/pods", p => (int?)p["total"] == 2, "the same inventory through the other replica");
        var watching = new[] { a, b }.Where(r => Supervisor(r).WatchedClusters.Contains(id)).ToList();
        var leader = Assert.Single(watching);
        var survivor = leader == a ? b : a;
        Assert.Null(Supervisor(survivor).LeaderSince);
        await Eventually.TrueAsync(() => Task.FromResult(WatchedByOneReplica.All(r => sim.OpenWatches.GetValueOrDefault(r) == 1)),
            because: "one watch per resource on the cluster, not one per replica");
        Assert.All(sim.OpenWatches, w => Assert.Equal(1, w.Value));

        // The watching replica dies: its database sessions end (as when the process is killed) and it stops.
        var clock = Stopwatch.StartNew();
        await TerminateSessionsAsync(database, leader.Name);
        await leader.DisposeAsync();

        await Eventually.TrueAsync(() => Task.FromResult(Supervisor(survivor).IsSynced(id)), TimeSpan.FromSeconds(15),
            "the survivor to watch the cluster");
        var takeover = clock.Elapsed;
        sim.Objects.SeedPods("default", 1, prefix: "after-failover");
        using var again = await survivor.AsAdminAsync();
        await ClusterApp.WaitForAsync(again, $"/api/v1/clusters/{id}/pods", p => (int?)p["total"] == 3,
            "a pod created after the failover to reach the inventory through the survivor");
        await Eventually.TrueAsync(() => Task.FromResult(WatchedByOneReplica.All(r => sim.OpenWatches.GetValueOrDefault(r) == 1)),
            because: "the dead replica's watches to be gone and the survivor's open");
        Assert.True(takeover < TimeSpan.FromSeconds(15), $"took over in {takeover}");
    }

    [Fact]
    public async Task a_service_map_is_made_ready_once_and_a_grant_expires_once_with_two_replicas()
    {
        var database = await TestPostgres.CreateDatabaseAsync("replicas");
        await using var a = await StartReplicaAsync(database, "replica-a");
        await using var b = await StartReplicaAsync(database, "replica-b");
        await using var t = await Tenancy.Tenancy.CreateAsync(a);
        using var adminB = await b.AsAdminAsync();

        var mapId = (string)(await t.CreateServiceMapAsync(t.WorkspaceAdmin.Client, "twice-served"))["id"]!;
        await ClusterApp.WaitForAsync(adminB, $"/api/v1/service-maps/{mapId}", m => (string?)m["status"] == "Ready", "Ready, seen on the other replica");
        var grantId = (string)(await Grants.GrantAsync(adminB, new
        {
            userId = t.Developer.Id, clusterId = t.ClusterId, scope = "Cluster", role = "view",
            validUntil = DateTimeOffset.UtcNow.AddSeconds(20), reason = "a short look",
        }))["grant"]!["id"]!;
        await Grants.WaitForStateAsync(t.Admin, grantId, "Active");
        // Expiry is both scheduled and swept for (every second here), on whichever replica picks it up.
        await ClusterApp.WaitForAsync(t.Admin, $"/api/v1/access-grants/{grantId}",
            g => (string?)g["state"] == "Expired" && (bool?)g["grant"]!["onCluster"] == false, "expired and off the cluster", 40);
        // Meanwhile (twenty seconds and more) drift passes ran every two seconds over the Ready map.
        Assert.Equal(1, (await TypesAsync(adminB, mapId)).Count(x => x == "ServiceMapBecameReady"));
        var grantEvents = await TypesAsync(adminB, grantId);
        Assert.Equal(1, grantEvents.Count(x => x == "AccessGrantActivated"));
        Assert.Equal(1, grantEvents.Count(x => x == "AccessGrantExpired"));
        Assert.Equal(1, grantEvents.Count(x => x == "AccessGrantRemovedFromCluster"));
    }

    /// <summary>
    /// Issue 15's tail across replicas: both replicas store batches at once (two writers each, as each receiver runs
    /// several), their COPYs committing in an order unrelated to their line numbers, while a tail through one replica
    /// follows with its cursor. Every line arrives exactly once, and each writer's lines in the order it wrote them.
    /// </summary>
    [Fact]
    public async Task a_tail_misses_no_line_and_repeats_none_while_two_replicas_store_batches_at_once()
    {
        var database = await TestPostgres.CreateDatabaseAsync("replicas");
        await using var a = await StartReplicaAsync(database, "replica-a");
        await using var b = await StartReplicaAsync(database, "replica-b");
        using var admin = await b.AsAdminAsync();
        var cluster = Guid.NewGuid();
        var pod = $"tail-{Guid.NewGuid():N}"[..15];
        IncomingLogLine Line(string body) =>
            new(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 9, "INFO", body, false, cluster, null, null, "shop", pod, "app", "node-1", "Deployment", "checkout");

        await a.Services.GetRequiredService<ILogStore>().AppendAsync([Line("marker")], CancellationToken.None);
        var first = await TailAsync(admin, pod, null);
        Assert.Equal(["marker"], first.Bodies);
        var cursor = first.Cursor;

        const int batches = 30;
        var writers = new[] { (a, "a0"), (a, "a1"), (b, "b0"), (b, "b1") };
        var expected = writers.SelectMany(w => Enumerable.Range(0, batches).SelectMany(i => Enumerable.Range(0, BatchSize(i)).Select(j => $"{w.Item2} {i:D3} {j:D3}")))
            .ToHashSet();
        // Batches of different sizes, so that a later batch often commits before an earlier, larger one of another writer.
        static int BatchSize(int i) => 1 + i * 37 % 60;
        var writing = Task.WhenAll(writers.Select(w => Task.Run(async () =>
        {
            var store = w.Item1.Services.GetRequiredService<ILogStore>();
            for (var i = 0; i < batches; i++)
            {
                var result = await store.AppendAsync(Enumerable.Range(0, BatchSize(i)).Select(j => Line($"{w.Item2} {i:D3} {j:D3}")).ToList(),
                    CancellationToken.None);
                Assert.Equal(BatchSize(i), result.Stored);
            }
        })));

        var seen = new List<string>();
        var clock = Stopwatch.StartNew();
        while (seen.Count < expected.Count && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var next = await TailAsync(admin, pod, cursor);
            seen.AddRange(next.Bodies);
            cursor = next.Cursor;
            if (writing.IsFaulted) await writing;
        }
        await writing;
        // Once everything is stored and seen, asking again brings nothing more.
        var after = await TailAsync(admin, pod, cursor);
        seen.AddRange(after.Bodies);

        var repeated = seen.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"seen twice: {string.Join(", ", repeated.Take(10))}");
        var missed = expected.Except(seen).ToList();
        Assert.True(missed.Count == 0, $"{missed.Count} of {expected.Count} lines missed, e.g. {string.Join(", ", missed.Order().Take(10))}");
        Assert.Equal(expected.Count, seen.Count);
        foreach (var (_, writer) in writers)
        {
            var own = seen.Where(x => x.StartsWith(writer + " ", StringComparison.Ordinal)).ToList();
            Assert.Equal(own.Order(StringComparer.Ordinal), own);
        }
    }

    private static async Task<(List<string> Bodies, string? Cursor)> TailAsync(HttpClient client, string pod, string? cursor)
    {
        var url = $"/api/v1/logs/tail?pod={pod}&limit=100" + (cursor is null ? "" : $"&wait=1&after={Uri.EscapeDataString(cursor)}");
        var response = await client.GetAsync(url);
        var body = await response.BodyAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body.ToJsonString()}");
        return (body["items"]!.AsArray().Select(i => (string)i!["body"]!).ToList(), (string?)body["cursor"]);
    }

    private static async Task<Replica> StartReplicaAsync(string database, string name)
    {
        var replica = new Replica(name, new NpgsqlConnectionStringBuilder(database) { ApplicationName = name }.ConnectionString);
        await replica.InitializeAsync();
        return replica;
    }

    private static InventorySupervisor Supervisor(CocktailApp app) => app.Services.GetRequiredService<InventorySupervisor>();

    private static async Task<List<string>> TypesAsync(HttpClient admin, string streamId)
    {
        var history = await (await admin.GetAsync($"/api/v1/audit/events?streamId={streamId}&pageSize=200")).BodyAsync();
        return history["items"]!.AsArray().Select(e => (string)e!["type"]!).ToList();
    }

    /// <summary>What PostgreSQL sees when the process on the other end is killed: every session of it ends.</summary>
    private static async Task TerminateSessionsAsync(string database, string applicationName)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var kill = new NpgsqlCommand(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()", connection);
        kill.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        Assert.True((long)(await kill.ExecuteScalarAsync())! > 0, "the replica had sessions to end");
    }

    /// <summary>A replica with quick probes, sweeps and drift passes; takeover at the default pace.</summary>
    private sealed class Replica : CocktailApp
    {
        public Replica(string name, string connectionString)
        {
            Name = name;
            WithDatabase(connectionString);
            WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
            WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
            WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
            WithSetting("Cocktail:Access:SweepInterval", "00:00:01");
        }

        public string Name { get; }
    }
}
