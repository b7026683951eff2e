using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Cocktail.Integration.Tests.Notifications;

/// <summary>An HTTP receiver on a loopback port: records every request and answers each path from a script (then 200).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(int Status, string? RetryAfter)>> _scripts = new();
    public ConcurrentQueue<Received> Requests { get; } = new();
    public string BaseUrl { get; }

    private WebhookReceiver(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.Run(async http =>
        {
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            var path = http.Request.Path.Value ?? "/";
            receiver!.Requests.Enqueue(new Received(path, http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body, DateTimeOffset.UtcNow));
            if (receiver._scripts.TryGetValue(path, out var script) && script.TryDequeue(out var answer))
            {
                http.Response.StatusCode = answer.Status;
                if (answer.RetryAfter is not null) http.Response.Headers.RetryAfter = answer.RetryAfter;
                await http.Response.WriteAsync(answer.Status >= 400 ? "not now" : "ok");
                return;
            }
            await http.Response.WriteAsync("ok");
        });
        await app.StartAsync();
        var address = app.Urls.First();
        receiver = new WebhookReceiver(app, address.TrimEnd('/'));
        return receiver;
    }

    /// <summary>The next requests to <paramref name="path"/> get these answers, in order; then 200.</summary>
    public void Script(string path, params (int Status, string? RetryAfter)[] answers) =>
        _scripts[path] = new ConcurrentQueue<(int, string?)>(answers);

    public IReadOnlyList<Received> To(string path) => Requests.Where(r => r.Path == path).ToList();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A small SMTP server (the SmtpServer package) on a loopback port that keeps every message it receives.</summary>
public sealed class MailReceiver : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    public ConcurrentQueue<MimeMessage> Messages { get; } = new();
    public int Port { get; }

    public MailReceiver()
    {
        Port = FreePort();
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)).IsSecure(false)).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Messages));
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> messages) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer,
            CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            messages.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; }
        catch (OperationCanceledException) { }
    }
}
