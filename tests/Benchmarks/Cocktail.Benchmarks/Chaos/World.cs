using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim;
using Npgsql;

namespace Cocktail.Benchmarks.Chaos;

/// <summary>
/// What the chaos run has asked for, and what Cocktail acknowledged: service maps, workloads and grants over a few
/// clusters, and a ledger of (stream, event type) → commands acknowledged / left in doubt.
/// </summary>
public sealed class World
{
    private readonly ReplicaProcess[] _replicas;
    private readonly Dictionary<ReplicaProcess, HttpClient> _clients;
    private readonly List<(string ClusterId, KubeSimCluster Sim)> _clusters;
    private readonly string _workspaceId;
    private readonly List<Guid> _users;
    private readonly Lock _gate = new();
    private readonly List<(Guid Id, string ClusterId)> _maps = [];
    private readonly Queue<Workload> _idleWorkloads = new();
    private readonly Queue<Guid> _openGrants = new();
    private int _turn;

    /// <summary>(stream, event type) → (acknowledged, in doubt).</summary>
    public Dictionary<(Guid Stream, string Type), (int Acked, int InDoubt)> Ledger { get; } = [];
    public Dictionary<string, int> InDoubtCreates { get; } = [];
    public List<(Guid Id, string ClusterId, string Name)> Maps { get; } = [];
    public Dictionary<Guid, (string ClusterId, bool Revoked)> Grants { get; } = [];
    public List<(Guid Id, string ClusterId)> Workloads { get; } = [];
    public IReadOnlyList<(string ClusterId, KubeSimCluster Sim)> Clusters => _clusters;

    private sealed record Workload(Guid Id, string ClusterId, HashSet<int> PossibleReplicas);

    private World(ReplicaProcess[] replicas, string token, List<(string, KubeSimCluster)> clusters, string workspaceId, List<Guid> users)
    {
        _replicas = replicas;
        _clients = replicas.ToDictionary(r => r, r => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = r.BaseAddress, Timeout = TimeSpan.FromMinutes(2),
            DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        });
        _clusters = clusters;
        _workspaceId = workspaceId;
        _users = users;
    }

    public static async Task<World> SetUpAsync(ReplicaProcess[] replicas, string token, IReadOnlyList<KubeSimCluster> sims)
    {
        using var admin = new HttpClient { BaseAddress = replicas[0].BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var clusters = new List<(string, KubeSimCluster)>();
        foreach (var sim in sims) clusters.Add((await BenchApi.RegisterClusterAsync(admin, sim), sim));
        var workspaceId = (string)(await BenchApi.PostAsync(admin, "/api/v1/workspaces", new { name = "chaos" }))["id"]!;
        foreach (var (clusterId, _) in clusters)
            await BenchApi.PostAsync(admin, $"/api/v1/workspaces/{workspaceId}/clusters/{clusterId}", new
            {
                mode = "Dedicated", quota = new { cpu = "100000", memory = "100000Gi", gpu = "0", storage = "100000Gi", pods = "100000" },
            });
        var users = new List<Guid>();
        for (var i = 0; i < 5; i++)
            users.Add(Guid.Parse((string)(await BenchApi.PostAsync(admin, "/api/v1/users",
                new { userName = $"chaos-user-{i}", displayName = $"Chaos user {i}", password = "a-long-enough-password", role = "User" }))["id"]!));
        var world = new World(replicas, token, clusters, workspaceId, users);
        return world;
    }

    /// <summary>
    /// One command, chosen at random from the mix (create a service map 10%, deploy 30%, scale 30%, grant 15%, revoke
    /// 15%), sent to the next live replica. A workload or grant is used by one command at a time.
    /// </summary>
    public async Task SendOneAsync(Random random, string name, ChaosBenchmark.PhaseResult result)
    {
        var roll = random.Next(100);
        Workload? workload = null;
        Guid? grant = null;
        (Guid Id, string ClusterId)? map = null;
        var createMap = false;
        lock (_gate)
        {
            if (_maps.Count < 2 * _clusters.Count || roll < 10) createMap = true;
            else if (roll < 40) map = _maps[random.Next(_maps.Count)];
            else if (roll < 70 && !_idleWorkloads.TryDequeue(out workload)) map = _maps[random.Next(_maps.Count)];
            else if (roll >= 85 && _openGrants.TryDequeue(out var open)) grant = open;
        }
        Interlocked.Increment(ref result.Sent);
        if (createMap) await CreateMapAsync(random, name, result);
        else if (workload is not null) await ScaleAsync(random, workload, result);
        else if (map is { } m) await DeployAsync(random, m, name, result);
        else if (grant is { } grantId) await RevokeAsync(grantId, result);
        else await GrantAsync(random, result);
    }

    private async Task CreateMapAsync(Random random, string name, ChaosBenchmark.PhaseResult result)
    {
        var clusterId = _clusters[random.Next(_clusters.Count)].ClusterId;
        var answer = await SendAsync(HttpMethod.Post, $"/api/v1/workspaces/{_workspaceId}/service-maps", new
        {
            name, clusterId, @namespace = name, podSecurity = "baseline",
            quota = new { cpu = "2", memory = "2Gi", gpu = "0", storage = "1Gi", pods = "20" },
            defaultLimits = new { cpu = "100m", memory = "64Mi" },
        }, result);
        if (answer is null) { Doubt("service_map_created"); return; }
        if (answer.Node is not { } body) return;
        var id = Guid.Parse((string)body["id"]!);
        Acknowledge(id, "service_map_created");
        lock (_gate)
        {
            _maps.Add((id, clusterId));
            Maps.Add((id, clusterId, name));
        }
    }

    private async Task DeployAsync(Random random, (Guid Id, string ClusterId) map, string name, ChaosBenchmark.PhaseResult result)
    {
        var replicas = random.Next(3);
        var answer = await SendAsync(HttpMethod.Post, $"/api/v1/service-maps/{map.Id}/workloads", new
        {
            name, replicas,
            containers = new[]
            {
                new
                {
                    name = "web", image = "registry.example.com/shop/web:1.0",
                    resources = new { requests = new { cpu = "10m", memory = "16Mi" }, limits = new { cpu = "50m", memory = "32Mi" } },
                },
            },
        }, result);
        if (answer is null) { Doubt("workload_deployed"); return; }
        if (answer.Node is not { } body) return;
        var id = Guid.Parse((string)body["id"]!);
        Acknowledge(id, "workload_deployed");
        lock (_gate)
        {
            _idleWorkloads.Enqueue(new Workload(id, map.ClusterId, [replicas]));
            Workloads.Add((id, map.ClusterId));
        }
    }

    /// <summary>Always to a count the workload cannot have already, so that every acknowledged scale is a change.</summary>
    private async Task ScaleAsync(Random random, Workload workload, ChaosBenchmark.PhaseResult result)
    {
        var choices = Enumerable.Range(0, 5).Where(n => !workload.PossibleReplicas.Contains(n)).ToList();
        var replicas = choices[random.Next(choices.Count)];
        var answer = await SendAsync(HttpMethod.Post, $"/api/v1/workloads/{workload.Id}/scale", new { replicas, reason = "chaos" }, result);
        if (answer is null)
        {
            Doubt(workload.Id, "workload_scaled");
            workload.PossibleReplicas.Add(replicas);
        }
        else if (answer.Node is not null)
        {
            Acknowledge(workload.Id, "workload_scaled");
            workload.PossibleReplicas.Clear();
            workload.PossibleReplicas.Add(replicas);
        }
        lock (_gate) if (workload.PossibleReplicas.Count < 5) _idleWorkloads.Enqueue(workload);
    }

    private async Task GrantAsync(Random random, ChaosBenchmark.PhaseResult result)
    {
        var clusterId = _clusters[random.Next(_clusters.Count)].ClusterId;
        var answer = await SendAsync(HttpMethod.Post, "/api/v1/access-grants", new
        {
            userId = _users[random.Next(_users.Count)], clusterId, scope = "Cluster", role = "view",
            validUntil = DateTimeOffset.UtcNow.AddDays(1), reason = "chaos",
        }, result);
        if (answer is null) { Doubt("cluster_access_granted"); return; }
        if (answer.Node is not { } body) return;
        var id = Guid.Parse((string)body["grant"]!["id"]!);
        Acknowledge(id, "cluster_access_granted");
        lock (_gate)
        {
            _openGrants.Enqueue(id);
            Grants[id] = (clusterId, false);
        }
    }

    private async Task RevokeAsync(Guid grantId, ChaosBenchmark.PhaseResult result)
    {
        var answer = await SendAsync(HttpMethod.Post, $"/api/v1/access-grants/{grantId}/revoke", new { reason = "chaos" }, result);
        lock (_gate)
        {
            if (answer is null)
            {
                Doubt(grantId, "access_grant_revoked");
                Grants[grantId] = (Grants[grantId].ClusterId, true); // may or may not be: settling accepts either
            }
            else if (answer.Node is not null)
            {
                Acknowledge(grantId, "access_grant_revoked");
                Grants[grantId] = (Grants[grantId].ClusterId, true);
            }
            else _openGrants.Enqueue(grantId);
        }
    }

    private sealed record Answer(JsonNode? Node);

    /// <summary>null: in doubt (the replica died before answering); Answer(null): refused; Answer(body): acknowledged.</summary>
    private async Task<Answer?> SendAsync(HttpMethod method, string path, object body, ChaosBenchmark.PhaseResult result)
    {
        var replica = NextLiveReplica();
        try
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            using var response = await _clients[replica].SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref result.Refused);
                if (result.FirstRefusals.Count < 5) result.FirstRefusals.Add($"{method} {path}: {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
                return new Answer(null);
            }
            Interlocked.Increment(ref result.Acked);
            return new Answer(text.Length == 0 ? new JsonObject() : JsonNode.Parse(text));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            Interlocked.Increment(ref result.InDoubt);
            return null;
        }
    }

    private ReplicaProcess NextLiveReplica()
    {
        var live = _replicas.Where(r => r.Up).ToList();
        if (live.Count == 0) live = [.. _replicas];
        return live[(int)((uint)Interlocked.Increment(ref _turn) % live.Count)];
    }

    private void Acknowledge(Guid stream, string type)
    {
        lock (_gate)
        {
            var (acked, doubt) = Ledger.GetValueOrDefault((stream, type));
            Ledger[(stream, type)] = (acked + 1, doubt);
        }
    }

    private void Doubt(Guid stream, string type)
    {
        lock (_gate)
        {
            var (acked, doubt) = Ledger.GetValueOrDefault((stream, type));
            Ledger[(stream, type)] = (acked, doubt + 1);
        }
    }

    private void Doubt(string createType)
    {
        lock (_gate) InDoubtCreates[createType] = InDoubtCreates.GetValueOrDefault(createType) + 1;
    }

    public async Task<bool> SeesPodAsync(ReplicaProcess replica, string podPrefix)
    {
        var page = await _clients[replica].GetFromJsonAsync<JsonNode>($"/api/v1/clusters/{_clusters[0].ClusterId}/pods?search={podPrefix}");
        return (int?)page?["total"] >= 1;
    }

    /// <summary>Waits until every acknowledged service map is Ready and every grant is on (or off) its cluster as decided.</summary>
    public async Task<bool> SettleAsync(NpgsqlDataSource db, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            await using var command = db.CreateCommand("""
                select
                  (select count(*) from cocktail.mt_events where type = 'service_map_created')
                    - (select count(distinct stream_id) from cocktail.mt_events where type = 'service_map_became_ready'),
                  (select count(*) from cocktail.mt_events g where g.type = 'cluster_access_granted'
                     and not exists (select 1 from cocktail.mt_events r where r.stream_id = g.stream_id and r.type = 'access_grant_revoked')
                     and not exists (select 1 from cocktail.mt_events a where a.stream_id = g.stream_id and a.type = 'access_grant_activated')),
                  (select count(*) from cocktail.mt_events r where r.type = 'access_grant_revoked'
                     and exists (select 1 from cocktail.mt_events a where a.stream_id = r.stream_id and a.type = 'access_grant_activated')
                     and not exists (select 1 from cocktail.mt_events x where x.stream_id = r.stream_id and x.type = 'access_grant_removed_from_cluster'))
                """);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            if (reader.GetInt64(0) == 0 && reader.GetInt64(1) == 0 && reader.GetInt64(2) == 0) return true;
            await Task.Delay(250);
        }
        return false;
    }
}
