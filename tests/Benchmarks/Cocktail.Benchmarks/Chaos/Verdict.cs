using Cocktail.KubeSim;
using Npgsql;

namespace Cocktail.Benchmarks.Chaos;

/// <summary>Compares the ledger of acknowledged commands with the event store, and the clusters with what was decided.</summary>
public sealed record Verdict(int Acknowledged, int Applied, int InDoubtApplied, int Duplicates, string DuplicateDetail, int NotConverged,
    string NotConvergedDetail)
{
    /// <summary>Outcomes a reconciler records once per object: a second one means the work was done twice.</summary>
    private static readonly string[] OncePerStream = ["service_map_became_ready", "access_grant_activated", "access_grant_removed_from_cluster"];

    public static async Task<Verdict> CheckAsync(NpgsqlDataSource db, World world, IReadOnlyList<KubeSimCluster> sims)
    {
        var found = new Dictionary<(Guid, string), int>();
        var types = world.Ledger.Keys.Select(k => k.Type).Concat(world.InDoubtCreates.Keys).Concat(OncePerStream).Distinct().ToArray();
        await using (var command = db.CreateCommand("select stream_id, type, count(*) from cocktail.mt_events where type = any($1) group by 1, 2"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = types });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) found[(reader.GetGuid(0), reader.GetString(1))] = (int)reader.GetInt64(2);
        }

        int acknowledged = 0, applied = 0, inDoubtApplied = 0, duplicateCommands = 0;
        foreach (var ((stream, type), (acked, doubt)) in world.Ledger)
        {
            var count = found.GetValueOrDefault((stream, type));
            acknowledged += acked;
            applied += Math.Min(acked, count);
            inDoubtApplied += Math.Min(Math.Max(0, count - acked), doubt);
            duplicateCommands += Math.Max(0, count - acked - doubt);
        }
        // Creations whose answer was lost: their streams are unknown to the ledger, and at most one per lost answer may exist.
        foreach (var (type, doubt) in world.InDoubtCreates)
        {
            var unknown = found.Where(f => f.Key.Item2 == type && !world.Ledger.ContainsKey(f.Key)).Sum(f => f.Value);
            inDoubtApplied += Math.Min(unknown, doubt);
            duplicateCommands += Math.Max(0, unknown - doubt);
        }
        foreach (var type in world.Ledger.Keys.Select(k => k.Type).Distinct().Where(t => !world.InDoubtCreates.ContainsKey(t) && t.EndsWith("_created", StringComparison.Ordinal)))
            duplicateCommands += found.Where(f => f.Key.Item2 == type && !world.Ledger.ContainsKey(f.Key)).Sum(f => f.Value);

        var twiceReconciled = OncePerStream.ToDictionary(t => t, t => found.Where(f => f.Key.Item2 == t).Sum(f => Math.Max(0, f.Value - 1)));
        var repeatedObservations = await RepeatedRolloutObservationsAsync(db);
        var (twiceOnCluster, notConverged, convergenceDetail) = await ClustersAsync(db, world, sims);
        var duplicates = duplicateCommands + twiceReconciled.Values.Sum() + repeatedObservations + twiceOnCluster;
        var detail = $"events beyond their commands {duplicateCommands}; " +
                     string.Join("; ", twiceReconciled.Select(t => $"{t.Key} twice {t.Value}")) +
                     $"; the same rollout observation recorded twice in a row {repeatedObservations}; objects on the clusters for one workload twice {twiceOnCluster}";
        return new Verdict(acknowledged, applied, inDoubtApplied, duplicates, detail, notConverged, convergenceDetail);
    }

    private static async Task<int> RepeatedRolloutObservationsAsync(NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("""
            select count(*) from (
              select data->>'status' as status, data->>'message' as message,
                     lag(data->>'status') over w as previous_status, lag(data->>'message') over w as previous_message,
                     lag(type) over w as previous_type
              from cocktail.mt_events where type in ('workload_rollout_changed', 'workload_scaled', 'workload_updated', 'workload_deployed')
              window w as (partition by stream_id order by version)) e
            where previous_type = 'workload_rollout_changed' and status = previous_status and message is not distinct from previous_message
            """);
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Per cluster: one Deployment per workload at most; grants' accounts present exactly when not revoked; every map's namespace.</summary>
    private static async Task<(int Twice, int NotConverged, string Detail)> ClustersAsync(NpgsqlDataSource db, World world, IReadOnlyList<KubeSimCluster> sims)
    {
        var revoked = new HashSet<Guid>();
        await using (var command = db.CreateCommand("select stream_id from cocktail.mt_events where type = 'access_grant_revoked'"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) revoked.Add(reader.GetGuid(0));

        var simOf = world.Clusters.ToDictionary(c => c.ClusterId, c => c.Sim);
        var twice = 0;
        foreach (var sim in sims)
            twice += sim.Objects.List("apps/v1", "Deployment").Select(d => d["metadata"]?["labels"]?["cocktail.io/workload"]?.GetValue<string>())
                .Where(w => w is not null).GroupBy(w => w).Sum(g => g.Count() - 1);

        var missingNamespaces = world.Maps.Count(m => simOf[m.ClusterId].Objects.Get("v1", "Namespace", m.Name) is null);
        var leftAccounts = 0;
        var missingAccounts = 0;
        foreach (var (id, (clusterId, _)) in world.Grants)
        {
            var account = simOf[clusterId].Objects.Get("v1", "ServiceAccount", "grant-" + id.ToString("N")[^12..], "cocktail-access");
            if (revoked.Contains(id) && account is not null) leftAccounts++;
            if (!revoked.Contains(id) && account is null) missingAccounts++;
        }
        return (twice, missingNamespaces + leftAccounts + missingAccounts,
            $"service maps without their namespace {missingNamespaces}, revoked grants still on the cluster {leftAccounts}, active grants missing {missingAccounts}");
    }
}
