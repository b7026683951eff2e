using System.Text.Json;
using Cocktail.Application.Clusters.ObservingInventory;
using Cocktail.Application.Common;
using Cocktail.Application.Workloads;
using Cocktail.Domain.Workloads;
using Cocktail.Infrastructure.Inventory;
using Npgsql;

namespace Cocktail.Infrastructure.Workloads;

/// <summary>Cocktail's workloads in the inventory tables, found by the workload id label Cocktail puts on them.</summary>
public sealed class WorkloadInventory(NpgsqlDataSource dataSource) : IWorkloadInventory
{
    private const string Schema = CocktailInfrastructure.Schema;

    private static readonly short[] WorkloadKinds =
        [(short)InventoryKind.Deployment, (short)InventoryKind.StatefulSet, (short)InventoryKind.Job, (short)InventoryKind.CronJob];

    public async Task<IReadOnlyList<(Guid WorkloadId, WorkloadInfo Info)>> WorkloadsAsync(Guid clusterId, CancellationToken ct) =>
        await ReadAsync<WorkloadInfo>(clusterId, WorkloadKinds, null, ct);

    public async Task<IReadOnlyList<(Guid WorkloadId, PodInfo Pod)>> PodsAsync(Guid clusterId, Guid? workloadId, CancellationToken ct) =>
        (await ReadAsync<PodInfo>(clusterId, [(short)InventoryKind.Pod], workloadId, ct)).OrderBy(p => p.Item2.Name, StringComparer.Ordinal).ToList();

    private async Task<List<(Guid, T)>> ReadAsync<T>(Guid clusterId, short[] kinds, Guid? workloadId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(workloadId is null
            ? $"select data->'labels'->>$3, data from {Schema}.inv_objects where cluster_id = $1 and kind = any($2) and data->'labels' ? $3"
            : $"select data->'labels'->>$3, data from {Schema}.inv_objects where cluster_id = $1 and kind = any($2) and data->'labels'->>$3 = $4");
        command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
        command.Parameters.Add(new NpgsqlParameter { Value = kinds });
        command.Parameters.Add(new NpgsqlParameter { Value = WorkloadLabels.Workload });
        if (workloadId is { } id) command.Parameters.Add(new NpgsqlParameter { Value = id.ToString() });
        var found = new List<(Guid, T)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            if (Guid.TryParse(reader.GetString(0), out var owner))
                found.Add((owner, JsonSerializer.Deserialize<T>(reader.GetString(1), InventoryJson.Options)!));
        return found;
    }

    /// <summary>
    /// Events name the object they are about: the workload itself (and its Service, Ingress and autoscaler, which
    /// share its name), and what its controllers create, named from it: ReplicaSets and their pods, StatefulSet
    /// pods, a Job's pods, a CronJob's Jobs and their pods.
    /// </summary>
    public async Task<Page<KubeEventInfo>> EventsAsync(Guid clusterId, string ns, string name, WorkloadKind kind, int page, int pageSize, CancellationToken ct)
    {
        (page, pageSize) = Paging.Clamp(page, pageSize);
        var quoted = System.Text.RegularExpressions.Regex.Escape(name);
        var children = kind switch
        {
            WorkloadKind.Deployment => $"^{quoted}-[a-z0-9]+(-[a-z0-9]{{5}})?$",
            WorkloadKind.StatefulSet => $"^{quoted}-[0-9]+$",
            WorkloadKind.Job => $"^{quoted}-[a-z0-9]{{5}}$",
            _ => $"^{quoted}-[0-9]+(-[a-z0-9]{{5}})?$",
        };
        const string where = "cluster_id = $1 and namespace = $2 and (involved_name = $3 or (involved_kind in ('ReplicaSet', 'Pod', 'Job') and involved_name ~ $4))";
        object[] parameters = [clusterId, ns, name, children];
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var count = With(new NpgsqlCommand($"select count(*) from {Schema}.inv_events where {where}", connection), parameters);
        var total = (long)(await count.ExecuteScalarAsync(ct))!;
        await using var select = With(new NpgsqlCommand(
            $"select data from {Schema}.inv_events where {where} order by last_seen desc, uid limit {pageSize} offset {(long)(page - 1) * pageSize}", connection), parameters);
        var items = new List<KubeEventInfo>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) items.Add(JsonSerializer.Deserialize<KubeEventInfo>(reader.GetString(0), InventoryJson.Options)!);
        return new Page<KubeEventInfo>(items, total, page, pageSize);
    }

    private static NpgsqlCommand With(NpgsqlCommand command, object[] parameters)
    {
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return command;
    }
}
