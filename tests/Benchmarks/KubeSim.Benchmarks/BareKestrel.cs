using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cocktail.KubeSim.Hosting;

namespace Cocktail.KubeSim.Benchmarks;

/// <summary>
/// The list benchmark's ceiling: the same Kestrel host KubeSim serves through, on the same kind of TLS key (P-256),
/// answering every request with the same pre-serialized pod list, fetched by as many clients. What it cannot beat is
/// this machine's HTTPS round trip for those bytes; the ratio is what KubeSim's routing, authentication, RBAC, store
/// read and serialization add.
/// </summary>
public static class BareKestrel
{
    public sealed record Result(List<double> Ms, double PerSecond, int BodyBytes, TimeSpan Duration);

    public static async Task<Result> RunAsync(byte[] body, int clients, TimeSpan duration)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        await using var host = await KestrelHost.StartAsync(0, certificate, async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        }, CancellationToken.None);
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, EnableMultipleHttp2Connections = true };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{host.Port}"), Timeout = Timeout.InfiniteTimeSpan };
        for (var i = 0; i < 20; i++) await http.GetByteArrayAsync("/warm-up");

        var times = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await http.GetByteArrayAsync("/api/v1/namespaces/default/pods", stop.Token);
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (OperationCanceledException) { }
            }
        })));
        return new Result([.. times], times.Count / clock.Elapsed.TotalSeconds, body.Length, duration);
    }
}
