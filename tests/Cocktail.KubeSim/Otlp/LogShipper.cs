using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Cocktail.KubeSim.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace Cocktail.KubeSim.Otlp;

/// <summary>What a cluster's shipping has done so far.</summary>
public sealed record LogShippingStats(
    long ReadLines, long SentLines, long SentBatches, long RetriedAttempts, long ThrottledAnswers, long RejectedLines, long DroppedLines,
    int? LastStatus, string? LastError);

/// <summary>
/// One cluster's collector DaemonSet, in process: reads every running (and finished) container's generated lines as
/// the filelog receiver tails /var/log/pods, names them as k8sattributes does, and exports them with OTLP/HTTP. Messages
/// are Google.Protobuf's, from the same .proto files Cocktail compiles.
/// </summary>
internal sealed partial class LogShipper : IAsyncDisposable
{
    readonly ClusterRuntime _runtime;
    readonly ClusterObjects _objects;
    readonly LogShippingOptions _options;
    readonly HttpClient _client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(30) };
    readonly Channel<ShippedLine> _queue = Channel.CreateUnbounded<ShippedLine>(new UnboundedChannelOptions { SingleReader = true });
    readonly Dictionary<string, long> _next = [];
    readonly ConcurrentDictionary<string, Resource> _resources = new();
    readonly CancellationTokenSource _stop = new();
    readonly SemaphoreSlim _consumers;
    readonly List<Task> _inFlight = [];
    readonly Task _reading, _sending;
    long _queued, _read, _sent, _batches, _retries, _throttled, _rejected, _dropped;
    int? _lastStatus;
    string? _lastError;

    readonly record struct ShippedLine(Resource Resource, DateTimeOffset At, string Body);

    public LogShipper(ClusterRuntime runtime, ClusterObjects objects, LogShippingOptions options)
    {
        _runtime = runtime;
        _objects = objects;
        _options = options;
        _consumers = new SemaphoreSlim(Math.Max(1, options.Consumers));
        _reading = Task.Run(ReadLoopAsync);
        _sending = Task.Run(SendLoopAsync);
    }

    public LogShippingStats Stats => new(Interlocked.Read(ref _read), Interlocked.Read(ref _sent), Interlocked.Read(ref _batches),
        Interlocked.Read(ref _retries), Interlocked.Read(ref _throttled), Interlocked.Read(ref _rejected), Interlocked.Read(ref _dropped),
        _lastStatus, _lastError);

    /// <summary>A line of one's own from a pod's container (it must exist), shipped with the generated ones.</summary>
    public void Write(string ns, string pod, string container, string text, DateTimeOffset? at = null)
    {
        var obj = _objects.Get("v1", "Pod", pod, ns) ?? throw new ArgumentException($"no pod {ns}/{pod}");
        var restarts = obj.At("status", "containerStatuses").Objects().FirstOrDefault(s => s.Str("name") == container)?["restartCount"]?.GetValue<int>() ?? 0;
        Enqueue(new ShippedLine(ResourceOf(obj, container, restarts), at ?? _runtime.Time.GetUtcNow(), text));
    }

    void Enqueue(ShippedLine line)
    {
        Interlocked.Increment(ref _read);
        if (Interlocked.Increment(ref _queued) > _options.QueueCapacityLines)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }
        _queue.Writer.TryWrite(line);
    }

    async Task ReadLoopAsync()
    {
        var first = true;
        while (!_stop.IsCancellationRequested)
        {
            try { ReadNewLines(first); }
            catch (Exception e) when (e is not OperationCanceledException) { _lastError = $"reading: {e.Message}"; }
            first = false;
            try { await Task.Delay(_options.PollInterval, _stop.Token); }
            catch (OperationCanceledException) { break; }
        }
    }

    void ReadNewLines(bool first)
    {
        var now = _runtime.Time.GetUtcNow();
        var interval = _runtime.Options.LogLineInterval;
        var seen = new HashSet<string>();
        foreach (var pod in _objects.List("v1", "Pod"))
        foreach (var status in pod.At("status", "containerStatuses").Objects())
        {
            var container = status.Str("name") ?? "";
            var started = status.Str("state", "running", "startedAt") ?? status.Str("state", "terminated", "startedAt");
            if (started is null) continue;
            var startedAt = DateTimeOffset.Parse(started, CultureInfo.InvariantCulture);
            var end = status.Str("state", "terminated", "finishedAt") is { } f && DateTimeOffset.Parse(f, CultureInfo.InvariantCulture) is var finished && finished < now
                ? finished : now;
            var restarts = status["restartCount"]?.GetValue<int>() ?? 0;
            var key = $"{pod.Str("metadata", "uid")}/{container}/{restarts}";
            seen.Add(key);
            var total = end < startedAt ? 0 : (end - startedAt).Ticks / interval.Ticks + 1;
            if (!_next.TryGetValue(key, out var next))
                next = first && !_options.FromStart ? total : Math.Max(0, total - _options.MaxBacklogPerContainer);
            if (next >= total) { _next[key] = next; continue; }
            var resource = ResourceOf(pod, container, restarts);
            for (var n = next; n < total; n++)
            {
                var at = startedAt + interval * n;
                Enqueue(new ShippedLine(resource, at, _runtime.Logs.Line(pod, container, n, at)));
            }
            _next[key] = total;
        }
        foreach (var gone in _next.Keys.Where(k => !seen.Contains(k)).ToList()) _next.Remove(gone);
    }

    /// <summary>The attributes the container parser (from the file path) and k8sattributes (from the API) give a pod's lines.</summary>
    Resource ResourceOf(JsonObject pod, string container, int restarts)
    {
        var uid = pod.Str("metadata", "uid") ?? "";
        return _resources.GetOrAdd($"{uid}/{container}/{restarts}", _ =>
        {
            var ns = pod.Str("metadata", "namespace") ?? "";
            var attributes = new List<(string, string)>
            {
                ("k8s.namespace.name", ns), ("k8s.pod.name", pod.Str("metadata", "name") ?? ""), ("k8s.pod.uid", uid),
                ("k8s.container.name", container), ("k8s.container.restart_count", restarts.ToString(CultureInfo.InvariantCulture)),
            };
            if (pod.Str("spec", "nodeName") is { } node) attributes.Add(("k8s.node.name", node));
            attributes.AddRange(WorkloadOf(pod, ns));
            var resource = new Resource();
            foreach (var (k, v) in attributes) resource.Attributes.Add(new KeyValue { Key = k, Value = new AnyValue { StringValue = v } });
            return resource;
        });
    }

    IEnumerable<(string, string)> WorkloadOf(JsonObject pod, string ns)
    {
        var owner = Controller(pod);
        if (owner is null) yield break;
        var (kind, name) = owner.Value;
        switch (kind)
        {
            case "ReplicaSet":
                yield return ("k8s.replicaset.name", name);
                if (_objects.Get("apps/v1", "ReplicaSet", name, ns) is { } rs && Controller(rs) is ("Deployment", var deployment))
                    yield return ("k8s.deployment.name", deployment);
                break;
            case "StatefulSet": yield return ("k8s.statefulset.name", name); break;
            case "DaemonSet": yield return ("k8s.daemonset.name", name); break;
            case "Job":
                yield return ("k8s.job.name", name);
                if (_objects.Get("batch/v1", "Job", name, ns) is { } job && Controller(job) is ("CronJob", var cronJob))
                    yield return ("k8s.cronjob.name", cronJob);
                break;
        }
    }

    static (string Kind, string Name)? Controller(JsonObject obj) =>
        obj.At("metadata", "ownerReferences").Objects().FirstOrDefault(o => o["controller"]?.GetValue<bool>() == true) is { } o
            ? (o.Str("kind") ?? "", o.Str("name") ?? "")
            : null;

    async Task SendLoopAsync()
    {
        var batch = new List<ShippedLine>(_options.BatchMaxLines);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                var deadline = DateTime.UtcNow + _options.BatchTimeout;
                while (batch.Count < _options.BatchMaxLines)
                {
                    if (reader.TryRead(out var line)) { batch.Add(line); continue; }
                    var wait = deadline - DateTime.UtcNow;
                    if (wait <= TimeSpan.Zero) break;
                    using var waiting = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    waiting.CancelAfter(wait);
                    try { if (!await reader.WaitToReadAsync(waiting.Token)) break; }
                    catch (OperationCanceledException) when (!_stop.IsCancellationRequested) { break; }
                }
                // sending_queue's consumers: up to this many batches in flight, as the collector's exporter sends them.
                await _consumers.WaitAsync(_stop.Token);
                var sending = batch;
                batch = new List<ShippedLine>(_options.BatchMaxLines);
                _inFlight.Add(Task.Run(async () =>
                {
                    try { await SendAsync(sending); }
                    finally
                    {
                        Interlocked.Add(ref _queued, -sending.Count);
                        _consumers.Release();
                    }
                }));
                _inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) { }
        await Task.WhenAll(_inFlight);
    }

    async Task SendAsync(List<ShippedLine> batch)
    {
        var body = Encode(batch);
        var started = DateTime.UtcNow;
        var backoff = _options.InitialBackoff;
        while (true)
        {
            TimeSpan? retryAfter = null;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                if (_options.Gzip) content.Headers.ContentEncoding.Add("gzip");
                using var request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint) { Content = content };
                if (_options.Token is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await _client.SendAsync(request, _stop.Token);
                _lastStatus = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(_stop.Token));
                    var rejected = answer.PartialSuccess?.RejectedLogRecords ?? 0;
                    Interlocked.Add(ref _rejected, rejected);
                    Interlocked.Add(ref _sent, batch.Count - rejected);
                    Interlocked.Increment(ref _batches);
                    if (answer.PartialSuccess is { ErrorMessage.Length: > 0 } partial) _lastError = partial.ErrorMessage;
                    return;
                }
                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
                    or HttpStatusCode.GatewayTimeout))
                {
                    _lastError = $"{(int)response.StatusCode}: {await StatusMessageAsync(response)}";
                    Interlocked.Add(ref _dropped, batch.Count);
                    return;
                }
                if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable) Interlocked.Increment(ref _throttled);
                retryAfter = RetryAfter(response);
                _lastError = $"{(int)response.StatusCode}: {await StatusMessageAsync(response)}";
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { Interlocked.Add(ref _dropped, batch.Count); return; }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException) { _lastError = e.Message; }

            var delay = retryAfter ?? Jittered(backoff);
            if (DateTime.UtcNow + delay - started > _options.MaxElapsed)
            {
                Interlocked.Add(ref _dropped, batch.Count);
                return;
            }
            Interlocked.Increment(ref _retries);
            try { await Task.Delay(delay, _stop.Token); }
            catch (OperationCanceledException) { Interlocked.Add(ref _dropped, batch.Count); return; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
        }
    }

    static TimeSpan Jittered(TimeSpan backoff) => backoff * (0.8 + Random.Shared.NextDouble() * 0.4);

    /// <summary>Retry-After as seconds or as an HTTP date, as the collector reads it.</summary>
    static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    static async Task<string> StatusMessageAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        try
        {
            return response.Content.Headers.ContentType?.MediaType == "application/x-protobuf"
                ? Google.Rpc.Status.Parser.ParseFrom(bytes).Message
                : System.Text.Encoding.UTF8.GetString(bytes);
        }
        catch (InvalidProtocolBufferException) { return $"{bytes.Length} bytes that are not a google.rpc.Status"; }
    }

    byte[] Encode(List<ShippedLine> batch)
    {
        var request = new ExportLogsServiceRequest();
        var observed = (ulong)(_runtime.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        foreach (var group in batch.GroupBy(l => l.Resource))
        {
            var scope = new ScopeLogs();
            foreach (var line in group) scope.LogRecords.Add(Record(line, observed));
            request.ResourceLogs.Add(new ResourceLogs { Resource = group.Key, ScopeLogs = { scope } });
        }
        var bytes = request.ToByteArray();
        if (!_options.Gzip) return bytes;
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }

    static LogRecord Record(ShippedLine line, ulong observed)
    {
        var record = new LogRecord
        {
            TimeUnixNano = (ulong)(line.At - DateTimeOffset.UnixEpoch).Ticks * 100,
            ObservedTimeUnixNano = observed,
            Body = new AnyValue { StringValue = line.Body },
        };
        record.Attributes.Add(new KeyValue { Key = "log.iostream", Value = new AnyValue { StringValue = "stdout" } });
        // The regex_parser of Cocktail's collector configuration: the first level word names the severity.
        if (Level().Match(line.Body) is { Success: true } m)
        {
            record.SeverityText = m.Value;
            record.SeverityNumber = m.Value switch
            {
                "TRACE" => SeverityNumber.Trace,
                "DEBUG" => SeverityNumber.Debug,
                "INFO" => SeverityNumber.Info,
                "WARN" or "WARNING" => SeverityNumber.Warn,
                "ERROR" => SeverityNumber.Error,
                _ => SeverityNumber.Fatal,
            };
        }
        return record;
    }

    [GeneratedRegex(@"\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b")]
    private static partial Regex Level();

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try { await _sending.WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (TimeoutException) { }
        _stop.Cancel();
        try { await Task.WhenAll(_reading, _sending); }
        catch (OperationCanceledException) { }
        _client.Dispose();
        _stop.Dispose();
    }
}

/// <summary>A cluster's log shipping, switchable at run time; off until <see cref="ConfigureAsync"/> is called.</summary>
public sealed class ClusterLogShipping : IAsyncDisposable
{
    readonly ClusterRuntime _runtime;
    readonly ClusterObjects _objects;
    LogShipper? _shipper;

    internal ClusterLogShipping(ClusterRuntime runtime, ClusterObjects objects)
    {
        _runtime = runtime;
        _objects = objects;
    }

    public LogShippingOptions? Options { get; private set; }

    public LogShippingStats Stats => _shipper?.Stats ?? new LogShippingStats(0, 0, 0, 0, 0, 0, 0, null, null);

    /// <summary>Starts shipping (replacing any previous configuration, whose queued lines it sends first).</summary>
    public async Task ConfigureAsync(LogShippingOptions options)
    {
        var previous = _shipper;
        _shipper = new LogShipper(_runtime, _objects, options);
        Options = options;
        if (previous is not null) await previous.DisposeAsync();
    }

    public async Task DisableAsync()
    {
        var previous = _shipper;
        _shipper = null;
        Options = null;
        if (previous is not null) await previous.DisposeAsync();
    }

    /// <summary>Ships a line of one's own as the container's (for a word a test searches for); the pod must exist.</summary>
    public void Write(string ns, string pod, string container, string text, DateTimeOffset? at = null) =>
        (_shipper ?? throw new InvalidOperationException("Configure log shipping first.")).Write(ns, pod, container, text, at);

    public async ValueTask DisposeAsync() => await DisableAsync();
}
