using System.Diagnostics;
using System.Globalization;

namespace Cocktail.Benchmarks;

/// <summary>This process's memory and resources at one moment, after a full garbage collection.</summary>
public sealed record ProcessSnapshot(long ManagedBytes, long GcHeapBytes, long WorkingSetBytes, long PrivateBytes, int Threads,
    int ThreadPoolThreads, int OpenFiles)
{
    public static ProcessSnapshot Take()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var fds = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : -1;
        return new ProcessSnapshot(managed, GC.GetGCMemoryInfo().HeapSizeBytes, process.WorkingSet64, process.PrivateMemorySize64,
            process.Threads.Count, ThreadPool.ThreadCount, fds);
    }

    public ProcessSnapshot Minus(ProcessSnapshot before) => new(ManagedBytes - before.ManagedBytes, GcHeapBytes - before.GcHeapBytes,
        WorkingSetBytes - before.WorkingSetBytes, PrivateBytes - before.PrivateBytes, Threads - before.Threads,
        ThreadPoolThreads - before.ThreadPoolThreads, OpenFiles - before.OpenFiles);

    public string Describe() =>
        $"managed {Mib(ManagedBytes)} (GC heap {Mib(GcHeapBytes)}), working set {Mib(WorkingSetBytes)}, private {Mib(PrivateBytes)}, " +
        $"threads {Threads} (pool {ThreadPoolThreads}), open files {OpenFiles}";

    public static string Mib(long bytes) => (bytes / 1024d / 1024d).ToString("0", CultureInfo.InvariantCulture) + " MiB";
}

public static class Percentiles
{
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static string Summary(IReadOnlyList<double> millis) =>
        FormattableString.Invariant($"p50 {Of(millis, 50):0} ms, p90 {Of(millis, 90):0} ms, p99 {Of(millis, 99):0} ms, max {millis.Max():0} ms (n = {millis.Count})");
}

/// <summary>How busy the whole machine was between two samples (all processes: Cocktail, KubeSim, PostgreSQL).</summary>
public sealed class MachineCpu
{
    private (long Busy, long Total) _last = Read();

    public double BusyPercentSinceLast()
    {
        var now = Read();
        var (busy, total) = (now.Busy - _last.Busy, now.Total - _last.Total);
        _last = now;
        return total <= 0 ? double.NaN : busy * 100d / total;
    }

    private static (long Busy, long Total) Read()
    {
        if (!File.Exists("/proc/stat")) return (0, 0);
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        var idle = fields[3] + fields[4]; // idle + iowait
        var total = fields.Take(8).Sum();
        return (total - idle, total);
    }
}
