using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Cocktail.Benchmarks;

/// <summary>
/// Absolute figures move with the machine (a quiet laptop, a loaded 2-core VM): each benchmark also measures, in the
/// same run and against the same PostgreSQL and KubeSim, the ceiling for the same work with nothing of Cocktail in
/// between, and prints figure, ceiling and ratio. A ratio near 1× (or 100 %) means Cocktail adds little to what the
/// machine allows; a ratio that grows between runs is a regression even when the machine got faster.
/// </summary>
public static class Ceilings
{
    /// <summary>
    /// Label patches timed until a bare watch hears each one: how fast the cluster can tell anyone that an object
    /// changed. <paramref name="watch"/> opens the watch, <paramref name="labelOf"/> reads the probe label of a
    /// MODIFIED object, and <paramref name="patch"/> applies patch number i with the given label value.
    /// </summary>
    public static async Task<List<double>> WatchDeliveryAsync<T>(
        Func<CancellationToken, IAsyncEnumerable<(k8s.WatchEventType, T)>> watch, Func<T, string?> labelOf,
        Func<int, k8s.Models.V1Patch, Task> patch, int changes, string what)
    {
        var waiting = new System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource>();
        using var stop = new CancellationTokenSource();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watching = Task.Run(async () =>
        {
            try
            {
                listening.TrySetResult();
                await foreach (var (type, item) in watch(stop.Token))
                    if (type == k8s.WatchEventType.Modified && labelOf(item) is { } value && waiting.TryRemove(value, out var heard))
                        heard.TrySetResult();
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException) { }
        });
        await listening.Task;
        await Task.Delay(500); // the watch is open and past its initial events
        var times = new List<double>();
        for (var i = 0; i <= changes; i++)
        {
            var value = $"c{i}";
            var heard = waiting.GetOrAdd(value, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var body = new k8s.Models.V1Patch(new { metadata = new { labels = new Dictionary<string, string> { [ProbeLabel] = value } } }, k8s.Models.V1Patch.PatchType.MergePatch);
            var sent = Stopwatch.GetTimestamp();
            await patch(i, body);
            if (await Task.WhenAny(heard.Task, Task.Delay(TimeSpan.FromSeconds(30))) != heard.Task)
                throw new TimeoutException($"A bare watch did not hear a {what} patch within 30 s.");
            if (i > 0) times.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds); // the first is a warm-up
        }
        await stop.CancelAsync();
        await watching;
        return times;
    }

    /// <summary>The label <see cref="WatchDeliveryAsync{T}"/> patches.</summary>
    public const string ProbeLabel = "cocktail-ceiling";

    private const string Table = "bench_ceiling";

    /// <summary>
    /// One single-row insert and its commit, one after the other, on one connection: the least a command costs, since
    /// every command Cocktail acknowledges is at least one durable commit.
    /// </summary>
    public static async Task<List<double>> CommitRoundTripsAsync(string connectionString, int count = 200)
    {
        await using var data = await DataSourceAsync(connectionString, 1);
        await using var connection = await data.OpenConnectionAsync();
        await using var insert = new NpgsqlCommand($"insert into {Table} (payload) values ($1)", connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = "x" });
        await insert.PrepareAsync();
        for (var i = 0; i < 10; i++) await insert.ExecuteNonQueryAsync(); // warm-up
        var times = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await insert.ExecuteNonQueryAsync();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return times;
    }

    /// <summary>Single-row insert+commit transactions per second with <paramref name="concurrency"/> connections, as commands in flight at once.</summary>
    public static async Task<double> CommitsPerSecondAsync(string connectionString, int concurrency, int count = 1000)
    {
        await using var data = await DataSourceAsync(connectionString, concurrency);
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, concurrency), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, ct) =>
        {
            await using var command = data.CreateCommand($"insert into {Table} (payload) values ('x')");
            while (Interlocked.Increment(ref next) <= count) await command.ExecuteNonQueryAsync(ct);
        });
        return count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<NpgsqlDataSource> DataSourceAsync(string connectionString, int connections)
    {
        var data = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = Math.Max(connections, 2) }.ConnectionString);
        await using var create = data.CreateCommand($"create table if not exists {Table} (id bigint generated always as identity primary key, payload text not null)");
        await create.ExecuteNonQueryAsync();
        return data;
    }

    /// <summary>"p50 201 ms vs 12.0 ms (17×), p99 623 ms vs 30.1 ms (21×)": a latency figure against its ceiling, percentile by percentile.</summary>
    public static string Latency(IReadOnlyList<double> figure, IReadOnlyList<double> ceiling) =>
        string.Join(", ", new[] { 50d, 99d }.Select(p => $"p{p:0} {Ms(Percentiles.Of(figure, p))} vs {Ms(Percentiles.Of(ceiling, p))} ({Times(Percentiles.Of(figure, p), Percentiles.Of(ceiling, p))})"));

    /// <summary>"4.2 s vs 1.1 s (3.8×)": a duration against its ceiling.</summary>
    public static string Duration(TimeSpan figure, TimeSpan ceiling) =>
        Invariant($"{figure.TotalSeconds:0.0} s vs {ceiling.TotalSeconds:0.0} s ({Times(figure.TotalSeconds, ceiling.TotalSeconds)})");

    /// <summary>"1,200/s vs 4,800/s (25 %)": a throughput as a share of its ceiling.</summary>
    public static string Throughput(double figure, double ceiling, string unit = "/s") =>
        Invariant($"{figure:#,0.#}{unit} vs {ceiling:#,0.#}{unit} ({figure / ceiling:P0} of the ceiling)");

    /// <summary>"p50 4.1 ms, p99 9.8 ms": how a ceiling itself was measured, for the line that introduces it.</summary>
    public static string Describe(IReadOnlyList<double> millis) =>
        $"p50 {Ms(Percentiles.Of(millis, 50))}, p99 {Ms(Percentiles.Of(millis, 99))} (n = {millis.Count})";

    /// <summary>The elementwise sum of two sorted samples: a ceiling made of two steps that must follow each other.</summary>
    public static List<double> Sum(IReadOnlyList<double> first, IReadOnlyList<double> second, double times = 1)
    {
        var a = first.Order().ToArray();
        var b = second.Order().ToArray();
        var n = Math.Min(a.Length, b.Length);
        return [.. Enumerable.Range(0, n).Select(i => a[i * a.Length / n] + times * b[i * b.Length / n])];
    }

    public static string Ms(double millis) => millis.ToString(millis < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    private static string Times(double figure, double ceiling) => Invariant($"{figure / ceiling:0.0}×");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
