using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cocktail.Testing.Monitoring;

/// <summary>
/// A real server binary (Prometheus, Alertmanager) run by a test: on a free 127.0.0.1 port, in a temporary
/// directory of its own, its output kept (bounded) for the failure message, killed and cleaned up on dispose.
/// </summary>
public abstract class ExternalProcess : IAsyncDisposable
{
    const int KeptOutput = 64 * 1024;
    readonly StringBuilder _output = new();
    Process? _process;

    protected ExternalProcess(string name)
    {
        Directory = Path.Combine(Path.GetTempPath(), $"cocktail-{name}-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The temporary directory holding the generated config and the data.</summary>
    public string Directory { get; }

    public int Port { get; private set; }

    /// <summary>
    /// A port chosen before the process starts, for a server whose address another party must know first (a registry
    /// that Cocktail is configured with before either runs). Starting then fails instead of moving to another port.
    /// </summary>
    protected void ReservePort()
    {
        ReservedPort = FreePort();
        Port = ReservedPort.Value;
    }

    int? ReservedPort { get; set; }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}/");

    /// <summary>What the process printed so far (the last 64 KiB), for assertion messages.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Starts the binary and waits for <paramref name="readyPath"/> to answer 200; retries on another port if the first was taken.</summary>
    protected async Task StartAsync(string executable, Func<int, IEnumerable<string>> arguments, string readyPath, TimeSpan timeout)
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = ReservedPort ?? FreePort();
            var info = new ProcessStartInfo(executable)
            {
                RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Directory,
            };
            foreach (var argument in arguments(Port)) info.ArgumentList.Add(argument);
            _process = Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start");
            _process.OutputDataReceived += (_, e) => Keep(e.Data);
            _process.ErrorDataReceived += (_, e) => Keep(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (await WaitReadyAsync(readyPath, timeout)) return;
            var exited = _process.HasExited;
            await StopProcessAsync();
            if (!exited || attempt >= 3 || ReservedPort is not null)
                throw new InvalidOperationException($"{Path.GetFileName(executable)} was not ready on port {Port} within {timeout.TotalSeconds:0} s:\n{Output}");
        }
    }

    async Task<bool> WaitReadyAsync(string readyPath, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited) return false;
            try
            {
                using var response = await http.GetAsync(new Uri(Address, readyPath));
                if (response.IsSuccessStatusCode) return true;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        return false;
    }

    void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (_output.Length > KeptOutput) _output.Remove(0, _output.Length - KeptOutput);
        }
    }

    async Task StopProcessAsync()
    {
        if (_process is null) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (InvalidOperationException) { }
        catch (OperationCanceledException) { }
        _process.Dispose();
        _process = null;
    }

    public virtual async ValueTask DisposeAsync()
    {
        await StopProcessAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }
}
