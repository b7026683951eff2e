using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cocktail.Benchmarks.Chaos;

/// <summary>
/// One Cocktail replica as its own OS process (<c>dotnet Cocktail.Web.Blazor.dll</c>), on a loopback port, with a
/// PostgreSQL application name of its own so that its sessions can be told apart. Killed with SIGKILL, restarted on
/// the same port.
/// </summary>
public sealed class ReplicaProcess(string name, string appDll, string connectionString, string adminPassword, string logFolder) : IAsyncDisposable
{
    private readonly int _port = FreePort();
    private Process? _process;
    private StreamWriter? _log;

    public string Name => name;
    public Uri BaseAddress => new($"http://127.0.0.1:{_port}");
    public bool Up { get; private set; }
    public int Starts { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(appDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(appDll);
        start.Environment["ConnectionStrings__Cocktail"] = $"{connectionString};Application Name={name}";
        start.Environment["Urls"] = BaseAddress.ToString().TrimEnd('/');
        start.Environment["COCKTAIL_ADMIN_PASSWORD"] = adminPassword;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Cocktail.Infrastructure.Inventory.InventorySupervisor"] = "Information";
        start.Environment["Cocktail__Access__SweepInterval"] = "00:00:05";
        // Two replicas on one machine: each takes a free port for the image gate's listener.
        start.Environment["Cocktail__ImageGate__Listen"] = "https://127.0.0.1:0";
        _log ??= new StreamWriter(Path.Combine(logFolder, name + ".log"), append: true) { AutoFlush = true };
        await _log.WriteLineAsync($"--- start {++Starts} at {DateTimeOffset.UtcNow:O}");
        var log = _log;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{name} exited with {_process.ExitCode} while starting; see {logFolder}/{name}.log");
            try
            {
                if ((await http.GetAsync(new Uri(BaseAddress, "/healthz"), ct)).StatusCode == HttpStatusCode.OK)
                {
                    Up = true;
                    return;
                }
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"{name} did not answer /healthz within 3 minutes");
    }

    /// <summary>SIGKILL: no shutdown hooks, no lock released, no message handed back.</summary>
    public void Kill()
    {
        Up = false;
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit();
        }
    }

    /// <summary>A graceful stop (SIGTERM), for the end of the run.</summary>
    public async Task StopAsync()
    {
        Up = false;
        if (_process is not { HasExited: false } process) return;
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await process.WaitForExitAsync(grace.Token); }
        catch (OperationCanceledException) { Kill(); }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        if (_log is not null) await _log.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The built web app: next to this repository's sources, in the same configuration as this benchmark.</summary>
    public static string FindAppDll(string? given)
    {
        if (given is not null) return Path.GetFullPath(given);
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (!File.Exists(Path.Combine(folder.FullName, "Cocktail.sln"))) continue;
            var candidates = new[] { configuration, configuration == "Release" ? "Debug" : "Release" }
                .Select(c => Path.Combine(folder.FullName, "src", "Web.Blazor", "bin", c, "net10.0", "Cocktail.Web.Blazor.dll"))
                .Where(File.Exists).ToList();
            if (candidates.Count > 0) return candidates[0];
        }
        throw new FileNotFoundException("Cocktail.Web.Blazor.dll not found; build the solution or pass --app <path to Cocktail.Web.Blazor.dll>");
    }
}
