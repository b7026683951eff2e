using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Logs;

/// <summary>
/// Container logs, generated rather than stored: line <c>n</c> of a container is a pure function of the pod, the
/// container and its start time, one line per <see cref="KubeSimOptions.LogLineInterval"/>. Hundreds of clusters
/// can then "log" without holding a byte, and follow mode just waits for the next line's time.
/// </summary>
public sealed class PodLogs(TimeProvider time, TimeSpan interval)
{
    public sealed record LogQuery(string Container, bool Follow, long? TailLines, bool Timestamps, long? SinceSeconds, long? LimitBytes);

    /// <summary>Output of simulated programs (image builds), served instead of generated lines for their containers.</summary>
    public RecordedOutput Recorded { get; } = new();

    /// <summary>The container to read, or the apiserver's 400 when the choice is ambiguous or impossible.</summary>
    public static (string Container, DateTimeOffset StartedAt) Resolve(JsonObject pod, string? container)
    {
        var (name, startedAt, _) = ResolveCurrent(pod, container);
        return (name, startedAt);
    }

    /// <summary>The running (or last terminated) container, with when it ended if it did.</summary>
    public static (string Container, DateTimeOffset StartedAt, DateTimeOffset? EndedAt) ResolveCurrent(JsonObject pod, string? container)
    {
        var (name, status) = Choose(pod, container);
        var startedAt = status.Str("state", "running", "startedAt") ?? status.Str("state", "terminated", "startedAt");
        // As the kubelet: a container waiting to restart shows the log of the instance that ended last.
        if (startedAt is null && status.At("lastState", "terminated") is JsonObject { } last && last.Str("containerID") is { Length: > 0 } && last.Str("startedAt") is { } lastStart)
            return (name, Time(lastStart), Time(last.Str("finishedAt") ?? lastStart));
        if (startedAt is null)
        {
            var reason = status.Str("state", "waiting", "reason") ?? "ContainerCreating";
            throw ApiException.BadRequest($"container \"{name}\" in pod \"{pod.Name()}\" is waiting to start: {reason}");
        }
        return (name, Time(startedAt), status.Str("state", "terminated", "finishedAt") is { } finished ? Time(finished) : null);
    }

    /// <summary>
    /// previous=true: the container instance that ran before the last restart (the kubelet's lastState.terminated), or the
    /// kubelet's 400 when the container never restarted.
    /// </summary>
    public static (string Container, DateTimeOffset StartedAt, DateTimeOffset? EndedAt) ResolvePrevious(JsonObject pod, string? container)
    {
        var (name, status) = Choose(pod, container);
        var previous = status.At("lastState", "terminated") as JsonObject;
        if (previous?.Str("containerID") is not { Length: > 0 } || previous.Str("startedAt") is not { } startedAt)
            throw ApiException.BadRequest($"previous terminated container \"{name}\" in pod \"{pod.Name()}\" not found");
        return (name, Time(startedAt), Time(previous.Str("finishedAt") ?? startedAt));
    }

    static (string Name, JsonObject? Status) Choose(JsonObject pod, string? container)
    {
        var names = pod.At("spec", "containers").Objects().Select(c => c.Str("name") ?? "").ToList();
        var podName = pod.Name();
        if (string.IsNullOrEmpty(container))
        {
            if (names.Count != 1)
                throw ApiException.BadRequest($"a container name must be specified for pod {podName}, choose one of: [{string.Join(" ", names)}]");
            container = names[0];
        }
        else if (!names.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {podName}");
        }
        return (container, pod.At("status", "containerStatuses").Objects().FirstOrDefault(s => s.Str("name") == container));
    }

    static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    public string Line(JsonObject pod, string container, long n, DateTimeOffset at) =>
        $"{ObjectMetadata.Timestamp(at)} INFO {pod.Name()}/{container} request served path=/api/items/{n % 97} status=200 line={n}";

    long LinesUntil(DateTimeOffset startedAt, DateTimeOffset now) =>
        now < startedAt ? 0 : (long)((now - startedAt).Ticks / interval.Ticks) + 1;

    public async Task Write(Stream output, JsonObject pod, DateTimeOffset startedAt, LogQuery query, DateTimeOffset? endedAt, CancellationToken cancel)
    {
        if (Recorded.Find(pod.Uid(), query.Container) is { } recorded)
        {
            await WriteRecorded(output, recorded, query, cancel);
            return;
        }
        var now = time.GetUtcNow();
        var end = endedAt is { } e && e < now ? e : now;
        var total = LinesUntil(startedAt, end);
        var first = query.TailLines is { } tail ? Math.Max(0, total - tail) : 0;
        if (query.SinceSeconds is { } since)
            first = Math.Max(first, LinesUntil(startedAt, now.AddSeconds(-since)));
        var budget = new ByteBudget(query.LimitBytes);
        for (var n = first; n < total; n++)
            if (!await WriteLine(output, pod, startedAt, query, n, budget, cancel)) return;
        await output.FlushAsync(cancel);
        if (!query.Follow || endedAt is not null) return;
        for (var n = total; !cancel.IsCancellationRequested; n++)
        {
            var wait = startedAt + interval * n - time.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, time, cancel);
            if (!await WriteLine(output, pod, startedAt, query, n, budget, cancel)) return;
            await output.FlushAsync(cancel);
        }
    }

    async Task WriteRecorded(Stream output, ContainerOutput recorded, LogQuery query, CancellationToken cancel)
    {
        var budget = new ByteBudget(query.LimitBytes);
        var (lines, ended, changed) = recorded.Read(0);
        var skip = query.TailLines is { } tail ? Math.Max(0, lines.Count - (int)Math.Min(tail, int.MaxValue)) : 0;
        var since = query.SinceSeconds is { } s ? time.GetUtcNow().AddSeconds(-s) : DateTimeOffset.MinValue;
        var sent = 0;
        while (true)
        {
            foreach (var (at, text) in lines.Skip(skip))
                if (at >= since && !await WriteText(output, text, at, query, budget, cancel)) return;
            sent += lines.Count;
            skip = 0;
            await output.FlushAsync(cancel);
            if (!query.Follow || ended) return;
            await changed.WaitAsync(cancel);
            (lines, ended, changed) = recorded.Read(sent);
        }
    }

    /// <summary>limitBytes: the log stops once this many bytes were sent.</summary>
    sealed class ByteBudget(long? limit)
    {
        long _used;

        public int Allow(int wanted)
        {
            if (limit is not { } max) return wanted;
            var allowed = (int)Math.Clamp(max - _used, 0, wanted);
            _used += allowed;
            return allowed;
        }
    }

    async Task<bool> WriteLine(Stream output, JsonObject pod, DateTimeOffset startedAt, LogQuery query, long n, ByteBudget budget, CancellationToken cancel)
    {
        var at = startedAt + interval * n;
        return await WriteText(output, Line(pod, query.Container, n, at), at, query, budget, cancel);
    }

    async Task<bool> WriteText(Stream output, string text, DateTimeOffset at, LogQuery query, ByteBudget budget, CancellationToken cancel)
    {
        if (query.Timestamps) text = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'") + " " + text;
        var bytes = Encoding.UTF8.GetBytes(text + "\n");
        var allowed = budget.Allow(bytes.Length);
        await output.WriteAsync(bytes.AsMemory(0, allowed), cancel);
        return allowed == bytes.Length;
    }
}
