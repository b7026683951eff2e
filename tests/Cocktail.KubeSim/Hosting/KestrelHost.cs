using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Cocktail.KubeSim.Hosting;

/// <summary>
/// A bare Kestrel server (no generic host, no DI container per cluster, no middleware pipeline) serving one
/// cluster's HTTPS endpoint. Measured at a fraction of a WebApplication's footprint, it lets hundreds of clusters
/// share a process while each can still be stopped and restarted on its own port.
/// </summary>
public sealed class KestrelHost : IAsyncDisposable
{
    /// <summary>
    /// Kestrel's HTTPS adapter resolves a few internal services (metrics, logging) from ApplicationServices; one
    /// never-started slim host provides them for every cluster in the process.
    /// </summary>
    static readonly Lazy<IServiceProvider> SharedServices = new(() =>
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        return builder.Build().Services;
    });

    readonly KestrelServer _server;
    readonly IDisposable? _heartbeat;

    public int Port { get; }

    KestrelHost(KestrelServer server, IDisposable? heartbeat, int port)
    {
        _server = server;
        _heartbeat = heartbeat;
        Port = port;
    }

    public static async Task<KestrelHost> StartAsync(
        int port, X509Certificate2 serverCertificate, Func<HttpContext, Task> handle, CancellationToken cancellationToken)
    {
        var options = new KestrelServerOptions { ApplicationServices = SharedServices.Value };
        options.AddServerHeader = false;
        options.Limits.MaxRequestBodySize = 3 * 1024 * 1024; // the apiserver's 3 MiB request limit
        options.Limits.Http2.MaxStreamsPerConnection = 1000;
        options.Listen(IPAddress.Loopback, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                // Client certificates are optional (tokens are the common case) and validated against the
                // cluster CA by the authenticator, which turns a bad one into a 401 rather than a TLS failure.
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                ClientCertificateValidation = (_, _, _) => true,
                CheckCertificateRevocation = false,
            });
        });
        var socketOptions = Options.Create(new SocketTransportOptions());
        var server = new KestrelServer(Options.Create(options), new SocketTransportFactory(socketOptions, NullLoggerFactory.Instance), NullLoggerFactory.Instance);
        var heartbeat = SharedHeartbeat.TryAdopt(server);
        try
        {
            await server.StartAsync(new Application(handle), cancellationToken);
        }
        catch
        {
            heartbeat?.Dispose();
            throw;
        }
        var address = server.Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelHost(server, heartbeat, new Uri(address).Port);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _server.StopAsync(timeout.Token); }
        catch (OperationCanceledException) { }
        _server.Dispose();
        _heartbeat?.Dispose();
    }

    sealed class Application(Func<HttpContext, Task> handle) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);
        public Task ProcessRequestAsync(HttpContext context) => handle(context);
        public void DisposeContext(HttpContext context, Exception? exception) { }
    }
}
