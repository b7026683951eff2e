using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Exec;

/// <summary>
/// One exec over one WebSocket: frames in (stdin, resize, v5 close) fed to the shell, the shell's output out as
/// channel frames, and at the end the v4 <c>metav1.Status</c> on channel 3 followed by a close frame.
/// </summary>
internal sealed class ExecSession
{
    const byte StdinChannel = 0, StdoutChannel = 1, StderrChannel = 2, ErrorChannel = 3, ResizeChannel = 4, CloseChannel = 255;
    const int MaxFrame = 1 << 20;

    readonly WebSocket _socket;
    readonly string _protocol;
    readonly ExecOptions _options;
    readonly SimulatedShell _shell;
    readonly SemaphoreSlim _sending = new(1, 1);
    readonly List<(int Stream, string Text)> _pending = [];
    readonly CancellationTokenSource _killed = new();

    public ExecSession(WebSocket socket, string protocol, ExecOptions options, JsonObject pod, TimeProvider time)
    {
        _socket = socket;
        _protocol = protocol;
        _options = options;
        _shell = new SimulatedShell(pod, options.Container!, options.Tty) { Write = (stream, text) => _pending.Add((stream, text)) };
    }

    /// <summary>The pod went away: the process is killed, as SIGKILL reports it (137).</summary>
    public void Kill() => _killed.Cancel();

    public async Task RunAsync(CancellationToken cancel)
    {
        try
        {
            if (_protocol == ExecEndpoint.V5)
                await SendAsync(_options.Stdout ? StdoutChannel : _options.Stderr ? StderrChannel : ErrorChannel, [], cancel);
            _shell.Start(_options.Command);
            await FlushAsync(cancel);
            if (_shell.StartFailure is { } failure)
            {
                await FinishAsync(Failure(failure), cancel);
                return;
            }
            if (_shell.ExitCode is null && _options.Stdin) await ReadAsync(cancel);
            if (_killed.IsCancellationRequested) { await FinishAsync(ExitStatus(137), cancel); return; }
            if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
            _shell.EndOfInput();
            await FlushAsync(cancel);
            await FinishAsync(ExitStatus(_shell.ExitCode ?? 0), cancel);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }
    }

    async Task ReadAsync(CancellationToken cancel)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancel, _killed.Token);
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (_shell.ExitCode is null)
        {
            WebSocketReceiveResult result;
            try { result = await _socket.ReceiveAsync(buffer, both.Token); }
            catch (OperationCanceledException) when (_killed.IsCancellationRequested) { return; }
            if (result.MessageType == WebSocketMessageType.Close) return;
            if (message.Length + result.Count > MaxFrame) throw new WebSocketException("frame too large");
            message.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage) continue;
            var frame = message.ToArray();
            message.SetLength(0);
            if (frame.Length == 0) continue;
            var payload = frame.AsSpan(1);
            switch (frame[0])
            {
                case StdinChannel when _options.Stdin:
                    _shell.Input(Encoding.UTF8.GetString(payload));
                    break;
                case ResizeChannel:
                    Resize(payload.ToArray());
                    break;
                case CloseChannel when _protocol == ExecEndpoint.V5 && payload.Length > 0 && payload[0] == StdinChannel:
                    _shell.EndOfInput();
                    break;
            }
            await FlushAsync(cancel);
        }
    }

    void Resize(byte[] json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var width = doc.RootElement.TryGetProperty("Width", out var w) ? w.GetUInt16() : (ushort)0;
            var height = doc.RootElement.TryGetProperty("Height", out var h) ? h.GetUInt16() : (ushort)0;
            _shell.Size = (width, height);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            // The apiserver's decoder stops reading resizes on a bad one; the session goes on.
        }
    }

    async Task FlushAsync(CancellationToken cancel)
    {
        var pending = _pending.ToList();
        _pending.Clear();
        foreach (var (stream, text) in pending)
        {
            if (text.Length == 0) continue;
            var channel = stream == 2 ? StderrChannel : StdoutChannel;
            if (channel == StdoutChannel && !_options.Stdout || channel == StderrChannel && !_options.Stderr) continue;
            await SendAsync(channel, Encoding.UTF8.GetBytes(text), cancel);
        }
    }

    async Task SendAsync(byte channel, byte[] data, CancellationToken cancel)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame, 1);
        await _sending.WaitAsync(cancel);
        try { await _socket.SendAsync(frame, WebSocketMessageType.Binary, true, cancel); }
        finally { _sending.Release(); }
    }

    /// <summary>The status, then a close frame; the client answers it (or goes) within a few seconds.</summary>
    async Task FinishAsync(JsonObject status, CancellationToken cancel)
    {
        await SendAsync(ErrorChannel, Encoding.UTF8.GetBytes(status.ToJsonString()), cancel);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        wait.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, wait.Token);
            var buffer = new byte[4096];
            while (_socket.State == WebSocketState.CloseSent)
                if ((await _socket.ReceiveAsync(buffer, wait.Token)).MessageType == WebSocketMessageType.Close) break;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
    }

    /// <summary>As the kubelet reports a command's end in v4: Success, or NonZeroExitCode with the code as the ExitCode cause.</summary>
    JsonObject ExitStatus(int code) => code == 0
        ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
        : new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(" ", _options.Command)}], exit code {code}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            },
        };

    static JsonObject Failure(string message) => new()
    {
        ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = message, ["reason"] = "InternalError", ["code"] = 500,
    };
}
