using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using k8s;
using k8s.Models;
using Npgsql;

namespace Cocktail.Benchmarks.Inventory;

/// <summary>
/// The inventory benchmark's ceiling, measured on the settled fleet before Cocktail starts, so nothing shares the CPU.
/// A full inventory cannot do without reading every object Cocktail watches from every cluster and storing it:
/// so its ceiling is KubeSim's own list throughput (the same 11 kinds listed from every cluster with KubernetesClient,
/// the same number of clusters at a time as the harness uses) plus bare upserts of the same objects into the same
/// PostgreSQL (one transaction per cluster, as a writer batching per cluster would). The two times add up rather than
/// overlap because both run on the same cores. A pod change cannot reach the read model faster than a bare watch
/// hears it plus one insert+commit round trip.
/// </summary>
public sealed record InventoryCeiling(TimeSpan List, TimeSpan Store, int Objects, List<double> WatchDelivery, List<double> Commits)
{
    private const string Table = "bench_ceiling_inventory";

    /// <summary>Reading and storing everything, one after the other.</summary>
    public TimeSpan FullInventory => List + Store;

    /// <summary>A pod change heard on a bare watch, then committed once.</summary>
    public List<double> PodChange => Ceilings.Sum(WatchDelivery, Commits);

    public static async Task<InventoryCeiling> MeasureAsync(IKubernetes[] clients, string connectionString, int parallelism, int changes)
    {
        var rows = new ConcurrentBag<(int Cluster, List<Row> Rows)>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, clients.Length), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, ct) => rows.Add((i, await ListEverythingAsync(clients[i], ct))));
        var list = clock.Elapsed;

        await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 8 }.ConnectionString);
        await using (var create = db.CreateCommand($"""
            create table if not exists {Table} (cluster_id int not null, kind smallint not null, namespace text not null, name text not null,
            resource_version text, data jsonb not null, updated_at timestamptz not null default now(), primary key (cluster_id, kind, namespace, name))
            """)) await create.ExecuteNonQueryAsync();
        clock.Restart();
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (cluster, ct) => await UpsertAsync(db, cluster.Cluster, cluster.Rows, ct));
        var store = clock.Elapsed;

        var delivery = await WatchDeliveryAsync(clients[0], changes);
        var commits = await Ceilings.CommitRoundTripsAsync(connectionString);
        return new InventoryCeiling(list, store, rows.Sum(r => r.Rows.Count), delivery, commits);
    }

    public void Print(int clusters, int parallelism)
    {
        Console.WriteLine("Ceiling, same run, same PostgreSQL and simulated clusters, without Cocktail (before it starts):");
        Console.WriteLine($"  bare lists of the 11 watched kinds from all {clusters} clusters, {parallelism} clusters at a time: {List.TotalSeconds:0.0} s ({Objects} objects)");
        Console.WriteLine($"  bare upserts of the same objects, one transaction per cluster, 4 at a time:          {Store.TotalSeconds:0.0} s");
        Console.WriteLine($"  pod PATCH → MODIFIED heard on a bare watch: {Ceilings.Describe(WatchDelivery)}");
        Console.WriteLine($"  insert+commit round trip:                   {Ceilings.Describe(Commits)}");
    }

    private sealed record Row(short Kind, string Namespace, string Name, string? ResourceVersion, string Data);

    private static async Task<List<Row>> ListEverythingAsync(IKubernetes client, CancellationToken ct)
    {
        var lists = new Task<IEnumerable<Row>>[]
        {
            Rows(0, client.CoreV1.ListNodeAsync(cancellationToken: ct), l => l.Items, n => n.Metadata, n => new { n.Metadata.Labels, n.Status?.Allocatable }),
            Rows(1, client.CoreV1.ListNamespaceAsync(cancellationToken: ct), l => l.Items, n => n.Metadata, n => new { n.Metadata.Labels, n.Status?.Phase }),
            Rows(2, client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct), l => l.Items, d => d.Metadata, d => new { d.Metadata.Labels, d.Status?.ReadyReplicas }),
            Rows(3, client.AppsV1.ListStatefulSetForAllNamespacesAsync(cancellationToken: ct), l => l.Items, d => d.Metadata, d => new { d.Metadata.Labels, d.Status?.ReadyReplicas }),
            Rows(4, client.AppsV1.ListDaemonSetForAllNamespacesAsync(cancellationToken: ct), l => l.Items, d => d.Metadata, d => new { d.Metadata.Labels, d.Status?.NumberReady }),
            Rows(5, client.BatchV1.ListJobForAllNamespacesAsync(cancellationToken: ct), l => l.Items, j => j.Metadata, j => new { j.Metadata.Labels, j.Status?.Succeeded }),
            Rows(6, client.BatchV1.ListCronJobForAllNamespacesAsync(cancellationToken: ct), l => l.Items, j => j.Metadata, j => new { j.Metadata.Labels, j.Spec.Schedule }),
            Rows(7, client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct), l => l.Items, p => p.Metadata,
                p => new { p.Metadata.Labels, p.Status?.Phase, p.Spec.NodeName, Restarts = p.Status?.ContainerStatuses?.Sum(c => c.RestartCount) }),
            Rows(8, client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct), l => l.Items, s => s.Metadata, s => new { s.Metadata.Labels, s.Spec.Type }),
            Rows(9, client.NetworkingV1.ListIngressForAllNamespacesAsync(cancellationToken: ct), l => l.Items, i => i.Metadata, i => new { i.Metadata.Labels }),
            Rows(10, client.CoreV1.ListEventForAllNamespacesAsync(cancellationToken: ct), l => l.Items, e => e.Metadata, e => new { e.Reason, e.Message, e.Type }),
        };
        return [.. (await Task.WhenAll(lists)).SelectMany(r => r)];
    }

    private static async Task<IEnumerable<Row>> Rows<TList, TItem>(short kind, Task<TList> listing, Func<TList, IList<TItem>> items,
        Func<TItem, V1ObjectMeta> metadata, Func<TItem, object> data) =>
        items(await listing).Select(item => metadata(item) is var m
            ? new Row(kind, m.NamespaceProperty ?? "", m.Name, m.ResourceVersion, JsonSerializer.Serialize(data(item)))
            : throw new InvalidOperationException());

    private static async Task UpsertAsync(NpgsqlDataSource db, int cluster, List<Row> rows, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            insert into {Table} (cluster_id, kind, namespace, name, resource_version, data)
            select $1, * from unnest($2::smallint[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
            on conflict (cluster_id, kind, namespace, name) do update
            set resource_version = excluded.resource_version, data = excluded.data, updated_at = now()
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = cluster });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Kind).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Namespace).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Name).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.ResourceVersion).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Data).ToArray() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Label patches on one cluster's pods, each timed until a bare watch of the namespace hears it.</summary>
    private static async Task<List<double>> WatchDeliveryAsync(IKubernetes client, int changes)
    {
        var pods = (await client.CoreV1.ListNamespacedPodAsync("default")).Items.Select(p => p.Metadata.Name).ToArray();
        return await Ceilings.WatchDeliveryAsync(
            ct => client.CoreV1.WatchListNamespacedPodAsync("default", cancellationToken: ct),
            pod => pod.Metadata.Labels?.TryGetValue(Ceilings.ProbeLabel, out var value) == true ? value : null,
            (i, patch) => client.CoreV1.PatchNamespacedPodAsync(patch, pods[i % pods.Length], "default"), changes, "pod");
    }
}
