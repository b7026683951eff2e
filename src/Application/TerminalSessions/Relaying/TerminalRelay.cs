using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Common;
using Cocktail.Application.TerminalSessions.Opening;
using Cocktail.Domain.Terminal;
using Marten;
using Microsoft.Extensions.Logging;

namespace Cocktail.Application.TerminalSessions.Relaying;

/// <summary>What the browser asked for: the pod, the container, the command and the terminal's first size.</summary>
public sealed record TerminalRequest(Guid ClusterId, string Namespace, string Pod, string Container, IReadOnlyList<string> Command, int Cols, int Rows);

/// <summary>
/// One web terminal: the browser's WebSocket (JSON text messages: <c>stdin</c>, <c>resize</c> in; <c>status</c>,
/// <c>stdout</c>, <c>exit</c>, <c>error</c> out) relayed to the pod's exec WebSocket (channel frames), recorded as
/// <see cref="TerminalSessionStarted"/>, an asciicast and <see cref="TerminalSessionEnded"/>, which is written however
/// the session ends (the command exits, the browser goes, the cluster fails).
/// </summary>
public sealed class TerminalRelay(RequestDispatcher dispatcher, IPodExec exec, IDocumentStore store, TimeProvider clock, ILogger<TerminalRelay> logger)
{
    /// <summary>The largest message the browser may send (typed or pasted text, a resize).</summary>
    public const int MaxInputMessage = 64 * 1024;
    private const byte Stdin = 0, Stdout = 1, Stderr = 2, Error = 3, Resize = 4;
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(5);

    public async Task RunAsync(WebSocket browser, Caller caller, TerminalRequest request, CancellationToken ct)
    {
        var opened = await dispatcher.SendAsync(
            new OpenTerminal(request.ClusterId, request.Namespace, request.Pod, request.Container, request.Command), caller, ct);
        if (!opened.Succeeded)
        {
            await SendAsync(browser, new JsonObject { ["type"] = "error", ["message"] = opened.Failure!.Message, ["fields"] = Fields(opened.Failure) }, ct);
            await CloseAsync(browser, WebSocketCloseStatus.PolicyViolation, "refused");
            return;
        }
        var target = opened.Value!;
        await SendAsync(browser, Status($"Connecting to {request.Pod} ({request.Container}) on {target.ClusterName}…"), ct);
        var upstream = await exec.OpenAsync(target.Connection, request.Namespace, request.Pod, request.Container, request.Command, ct);

        var id = Guid.CreateVersion7();
        var startedAt = clock.GetUtcNow();
        var decision = TerminalSession.Start(id, target.ClusterId, target.ClusterName, request.Namespace, request.Pod, request.Container,
            request.Command, upstream.Protocol, target.ServiceMapId, target.WorkspaceId, target.OpenedBy, startedAt);
        if (decision.Error is { } error)
        {
            await SendAsync(browser, new JsonObject { ["type"] = "error", ["message"] = error.Message }, ct);
            await CloseAsync(browser, WebSocketCloseStatus.PolicyViolation, "refused");
            return;
        }
        var started = (TerminalSessionStarted)decision.Events[0];
        await using (var session = store.LightweightSession())
        {
            session.LastModifiedBy = target.OpenedBy.Name;
            session.CorrelationId = caller.CorrelationId;
            session.Events.StartStream<TerminalSession>(id, started);
            await session.SaveChangesAsync(CancellationToken.None);
        }

        var title = $"{request.Namespace}/{request.Pod} ({request.Container})";
        var recorder = new AsciicastRecorder(request.Cols, request.Rows, startedAt, title, string.Join(' ', request.Command));
        var run = new Run(browser, upstream.Socket, recorder, clock);
        if (upstream.Socket is null)
        {
            run.End(null, $"The cluster refused the terminal: {upstream.Refusal}");
        }
        else
        {
            await SendAsync(browser, new JsonObject
            {
                ["type"] = "connected", ["sessionId"] = id, ["protocol"] = upstream.Protocol,
                ["text"] = $"Connected to {request.Pod} ({request.Container}) over {upstream.Protocol}.",
            }, ct);
            try
            {
                await run.RelayAsync(request.Cols, request.Rows, ct);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException)
            {
                run.End(null, $"The connection failed: {e.Message}");
            }
            finally
            {
                upstream.Socket.Dispose();
            }
        }

        var ended = TerminalSession.Create(started).End(run.ExitCode, run.Reason ?? "The session ended.", run.InputBytes, run.OutputBytes,
            recorder.Size, recorder.Truncated, clock.GetUtcNow());
        await using (var session = store.LightweightSession())
        {
            session.LastModifiedBy = target.OpenedBy.Name;
            session.CorrelationId = caller.CorrelationId;
            session.Events.Append(id, ended.Events.ToArray());
            session.Store(new TerminalRecording { Id = id, Cast = recorder.Cast, Truncated = recorder.Truncated });
            await session.SaveChangesAsync(CancellationToken.None);
        }
        logger.LogInformation("Terminal session {SessionId} ended: {Reason}", id, run.Reason);
        await run.FinishBrowserAsync(new JsonObject { ["type"] = "exit", ["sessionId"] = id, ["code"] = run.ExitCode, ["reason"] = run.Reason });
        await CloseAsync(browser, run.BrowserTooLarge ? WebSocketCloseStatus.MessageTooBig : WebSocketCloseStatus.NormalClosure, "ended");
    }

    private static JsonObject Status(string text) => new() { ["type"] = "status", ["text"] = text };

    private static JsonObject? Fields(Failure failure) =>
        failure.FieldErrors is null ? null : JsonSerializer.SerializeToNode(failure.FieldErrors) as JsonObject;

    internal static async Task SendAsync(WebSocket socket, JsonObject message, CancellationToken ct) =>
        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, ct);

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string description)
    {
        using var linger = new CancellationTokenSource(Linger);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseAsync(status, description, linger.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
    }

    /// <summary>The two pumps of one session and what they saw.</summary>
    private sealed class Run(WebSocket browser, WebSocket? upstream, AsciicastRecorder recorder, TimeProvider clock)
    {
        private readonly Decoder _stdout = Encoding.UTF8.GetDecoder(), _stderr = Encoding.UTF8.GetDecoder();
        private readonly SemaphoreSlim _browserSend = new(1, 1), _upstreamSend = new(1, 1);

        public int? ExitCode { get; private set; }
        public string? Reason { get; private set; }
        public long InputBytes { get; private set; }
        public long OutputBytes { get; private set; }
        public bool BrowserTooLarge { get; private set; }

        /// <summary>The first reason wins: what ended the session, not what followed from it.</summary>
        public void End(int? exitCode, string reason)
        {
            if (Reason is not null) return;
            ExitCode = exitCode;
            Reason = reason;
        }

        public async Task RelayAsync(int cols, int rows, CancellationToken ct)
        {
            if (cols > 0 && rows > 0) await ResizeAsync(cols, rows, ct);
            var fromCluster = FromClusterAsync(ct);
            var fromBrowser = FromBrowserAsync(ct);
            var first = await Task.WhenAny(fromCluster, fromBrowser);
            if (first == fromBrowser)
            {
                // The browser went (or misbehaved): end the command's input, then give the cluster a moment to report.
                await CloseOutputAsync(upstream!);
                await WaitOrAbort(fromCluster, upstream!);
            }
            else
            {
                // The command ended: the browser hears it once the end is recorded, then closes its side (or is cut off).
                _browserPump = fromBrowser;
            }
            await first;
        }

        private Task? _browserPump;

        /// <summary>Tells the browser how the session ended, and waits a moment for it to close its side.</summary>
        public async Task FinishBrowserAsync(JsonObject exit)
        {
            try { await SendBrowserAsync(exit, CancellationToken.None); }
            catch (WebSocketException) { }
            if (_browserPump is { } pump) await WaitOrAbort(pump, browser);
        }

        private static async Task CloseOutputAsync(WebSocket socket)
        {
            using var linger = new CancellationTokenSource(Linger);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, linger.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        }

        private static async Task WaitOrAbort(Task pump, WebSocket socket)
        {
            if (await Task.WhenAny(pump, Task.Delay(Linger)) != pump) socket.Abort();
            try { await pump; }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException) { }
        }

        private async Task FromClusterAsync(CancellationToken ct)
        {
            var buffer = new byte[32 * 1024];
            using var frame = new MemoryStream();
            try
            {
                while (true)
                {
                    var result = await upstream!.ReceiveAsync(buffer, ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        End(null, "The cluster closed the connection without an exit status.");
                        return;
                    }
                    frame.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage) continue;
                    var data = frame.ToArray();
                    frame.SetLength(0);
                    if (data.Length == 0) continue;
                    var payload = data.AsMemory(1);
                    switch (data[0])
                    {
                        case Stdout or Stderr when payload.Length > 0:
                            OutputBytes += payload.Length;
                            var decoder = data[0] == Stdout ? _stdout : _stderr;
                            var chars = new char[decoder.GetCharCount(payload.Span, false)];
                            decoder.GetChars(payload.Span, chars, false);
                            var text = new string(chars);
                            recorder.Output(clock.GetUtcNow(), text);
                            await SendBrowserAsync(new JsonObject { ["type"] = "stdout", ["data"] = text }, ct);
                            break;
                        case Error:
                            var (code, reason) = ExitStatus.Read(payload.Span);
                            End(code, reason);
                            return;
                    }
                }
            }
            catch (WebSocketException e)
            {
                End(null, $"The connection to the cluster failed: {e.Message}");
            }
        }

        private async Task FromBrowserAsync(CancellationToken ct)
        {
            var buffer = new byte[16 * 1024];
            using var message = new MemoryStream();
            try
            {
                while (true)
                {
                    var result = await browser.ReceiveAsync(buffer, ct);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        End(null, "The browser closed the terminal.");
                        return;
                    }
                    if (message.Length + result.Count > MaxInputMessage)
                    {
                        BrowserTooLarge = true;
                        End(null, $"The browser sent a message over {MaxInputMessage / 1024} KiB; the terminal closed.");
                        return;
                    }
                    message.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage) continue;
                    var json = message.ToArray();
                    message.SetLength(0);
                    await HandleBrowserMessageAsync(json, ct);
                }
            }
            catch (WebSocketException)
            {
                End(null, "The browser's connection dropped.");
            }
        }

        private async Task HandleBrowserMessageAsync(byte[] json, CancellationToken ct)
        {
            JsonNode? node;
            try { node = JsonNode.Parse(json); }
            catch (JsonException) { return; }
            if (node is not JsonObject message) return;
            switch ((string?)message["type"])
            {
                case "stdin" when message["data"] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0:
                    var bytes = Encoding.UTF8.GetBytes(text);
                    InputBytes += bytes.Length;
                    recorder.Input(clock.GetUtcNow(), text);
                    await SendUpstreamAsync(Stdin, bytes, ct);
                    break;
                case "resize" when Int(message["cols"]) is { } cols && Int(message["rows"]) is { } rows:
                    await ResizeAsync(cols, rows, ct);
                    break;
            }
        }

        private static int? Int(JsonNode? node) =>
            node is JsonValue v && v.TryGetValue<int>(out var i) && i is > 0 and <= 1000 ? i : null;

        private async Task ResizeAsync(int cols, int rows, CancellationToken ct)
        {
            recorder.Resize(clock.GetUtcNow(), cols, rows);
            await SendUpstreamAsync(Resize, Encoding.UTF8.GetBytes($$"""{"Width":{{cols}},"Height":{{rows}}}"""), ct);
        }

        private async Task SendUpstreamAsync(byte channel, byte[] data, CancellationToken ct)
        {
            var frame = new byte[data.Length + 1];
            frame[0] = channel;
            data.CopyTo(frame, 1);
            await _upstreamSend.WaitAsync(ct);
            try
            {
                if (upstream!.State == WebSocketState.Open) await upstream.SendAsync(frame, WebSocketMessageType.Binary, true, ct);
            }
            finally { _upstreamSend.Release(); }
        }

        private async Task SendBrowserAsync(JsonObject message, CancellationToken ct)
        {
            await _browserSend.WaitAsync(ct);
            try
            {
                if (browser.State == WebSocketState.Open) await SendAsync(browser, message, ct);
            }
            finally { _browserSend.Release(); }
        }
    }
}

/// <summary>The v4 status on the error channel: Success (0), NonZeroExitCode with its ExitCode cause, or another failure.</summary>
public static class ExitStatus
{
    public static (int? Code, string Reason) Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var status = JsonNode.Parse(json) as JsonObject;
            if ((string?)status?["status"] == "Success") return (0, "The command exited with code 0.");
            if ((string?)status?["reason"] == "NonZeroExitCode" && status["details"]?["causes"] is JsonArray causes)
                foreach (var cause in causes)
                    if ((string?)cause?["reason"] == "ExitCode" && int.TryParse((string?)cause["message"], out var code))
                        return (code, $"The command exited with code {code}.");
            return (null, $"The cluster ended the command: {(string?)status?["message"] ?? "no reason given"}");
        }
        catch (JsonException)
        {
            return (null, "The cluster ended the command with an unreadable status.");
        }
    }
}
