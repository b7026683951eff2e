using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>
/// An HTTP server on 127.0.0.1 that answers every request with a JSON echo of what it received (method, path and
/// query as sent, body, headers), standing behind a Service for the service proxy tests.
/// </summary>
public sealed class EchoBackend : IDisposable
{
    readonly HttpListener _listener = new();
    readonly CancellationTokenSource _stop = new();

    public Uri Address { get; }

    public EchoBackend()
    {
        var port = FreePort();
        Address = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Address.ToString());
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var echo = new
            {
                method = context.Request.HttpMethod,
                target = context.Request.RawUrl,
                body = await reader.ReadToEndAsync(),
                authorization = context.Request.Headers["Authorization"],
                contentType = context.Request.ContentType,
            };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(echo);
            context.Response.StatusCode = context.Request.RawUrl?.Contains("status=418") == true ? 418 : 200;
            context.Response.ContentType = "application/json";
            context.Response.Headers["X-Echo"] = "yes";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
