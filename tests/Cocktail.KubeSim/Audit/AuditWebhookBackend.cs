using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Audit;

/// <summary>
/// The batching webhook backend (k8s.io/apiserver/plugin/pkg/audit/buffered): events queue in a bounded buffer
/// (overflow is dropped), are sent as one EventList per batch when it is full or has waited long enough, and a
/// failing batch is retried with growing back-off, then dropped.
/// </summary>
public sealed class AuditWebhookBackend : IAsyncDisposable
{
    readonly AuditOptions _options;
    readonly HttpClient _client;
    readonly Uri _server;
    readonly Channel<JsonObject> _buffer;
    readonly CancellationTokenSource _stop = new();
    readonly Task _loop;
    long _sent;
    long _dropped;
    long _batches;

    public AuditWebhookBackend(AuditOptions options)
    {
        _options = options;
        var config = WebhookKubeconfig.Parse(options.WebhookKubeconfigYaml);
        _server = config.Server;
        _client = config.CreateClient();
        _buffer = Channel.CreateBounded<JsonObject>(new BoundedChannelOptions(options.BufferSize)
        {
            FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
        });
        _loop = Task.Run(RunAsync);
    }

    public long SentEvents => Interlocked.Read(ref _sent);
    public long DroppedEvents => Interlocked.Read(ref _dropped);
    public long SentBatches => Interlocked.Read(ref _batches);

    public void Enqueue(JsonObject auditEvent)
    {
        if (!_buffer.Writer.TryWrite(auditEvent)) Interlocked.Increment(ref _dropped);
    }

    async Task RunAsync()
    {
        var reader = _buffer.Reader;
        var batch = new List<JsonObject>(_options.BatchMaxSize);
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                var deadline = DateTime.UtcNow + _options.BatchMaxWait;
                while (batch.Count < _options.BatchMaxSize)
                {
                    if (reader.TryRead(out var e)) { batch.Add(e); continue; }
                    var wait = deadline - DateTime.UtcNow;
                    if (wait <= TimeSpan.Zero) break;
                    using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    waitCancel.CancelAfter(wait);
                    try { if (!await reader.WaitToReadAsync(waitCancel.Token)) break; }
                    catch (OperationCanceledException) when (!_stop.IsCancellationRequested) { break; }
                }
                await SendWithRetries(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) { }
        if (batch.Count > 0) await SendWithRetries(batch);
    }

    async Task SendWithRetries(List<JsonObject> batch)
    {
        var body = new JsonObject
        {
            ["kind"] = "EventList",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["metadata"] = new JsonObject(),
            ["items"] = new JsonArray(batch.Select(e => (JsonNode)e).ToArray()),
        }.ToUtf8();
        var backoff = _options.InitialBackoff;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _client.PostAsync(_server, content);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Add(ref _sent, batch.Count);
                    Interlocked.Increment(ref _batches);
                    return;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (attempt == _options.MaxAttempts) break;
            try { await Task.Delay(backoff, _stop.IsCancellationRequested ? CancellationToken.None : _stop.Token); }
            catch (OperationCanceledException) { return; }
            backoff = TimeSpan.FromTicks((long)(backoff.Ticks * 1.5));
        }
        Interlocked.Add(ref _dropped, batch.Count);
    }

    public async ValueTask DisposeAsync()
    {
        _buffer.Writer.TryComplete();
        try { await _loop.WaitAsync(TimeSpan.FromSeconds(5)); }
        catch (TimeoutException) { }
        _stop.Cancel();
        _client.Dispose();
        _stop.Dispose();
    }
}
