using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>
/// The real registry (Debian's docker-registry, CNCF Distribution 2.8) without auth on a free 127.0.0.1 port, for
/// tests that push charts or images; <see cref="Available"/> is false where it is not installed.
/// </summary>
public sealed class TestRegistry : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    public static bool Available => File.Exists(Binary);

    readonly Process _process;
    readonly string _dir;

    TestRegistry(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Authority = $"127.0.0.1:{port}";
    }

    /// <summary><c>127.0.0.1:PORT</c></summary>
    public string Authority { get; }

    public static async Task<TestRegistry> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("kubesim-registry-").FullName;
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); port = ((IPEndPoint)probe.LocalEndpoint).Port; }
        var config = Path.Combine(dir, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {dir}/data
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);
        var process = Process.Start(new ProcessStartInfo(Binary, ["serve", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var registry = new TestRegistry(process, dir, port);
        using var http = new HttpClient();
        await Eventually.Get(async () => { try { return (await http.GetAsync($"http://{registry.Authority}/v2/")).StatusCode; } catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; } },
            code => code == HttpStatusCode.OK);
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) { _process.Kill(); await _process.WaitForExitAsync(); }
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
