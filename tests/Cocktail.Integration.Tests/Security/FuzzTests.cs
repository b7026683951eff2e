using System.Net;
using System.Text;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Testing;
using Xunit.Abstractions;

namespace Cocktail.Integration.Tests.Security;

/// <summary>
/// Every operation of `/openapi/v1.json`, sent by the platform admin (so authorization hides nothing) with wrong
/// types, missing fields, nulls, huge and control-character strings, extreme numbers, bad and all-zero ids, deep
/// nesting and hostile YAML: no answer is a 5xx, and the process still answers `/healthz` after each operation.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class FuzzTests(FuzzApp app, ITestOutputHelper output)
{
    [Fact]
    public void the_document_describes_the_api()
    {
        Assert.True(app.Api.All.Count >= 70, $"only {app.Api.All.Count} operations in /openapi/v1.json");
        Assert.Contains(app.Api.All, o => o.Method == "POST" && o.Path == "/api/v1/service-maps/{id}/workloads" && o.BodySchema is not null);
    }

    [Fact]
    public async Task no_malformed_request_gets_a_server_error_or_takes_the_process_down()
    {
        var fuzzer = new RequestFuzzer(app.Api, app.Ids, app.Kubeconfig);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        // Operations that end things (deletes, deactivation, revocation) last, so the others still find their objects.
        foreach (var op in app.Api.All.OrderBy(o => o.Method == "DELETE" || o.Path.EndsWith("/deactivate") ? 1 : 0).ThenBy(o => o.Path).ThenBy(o => o.Method))
        {
            foreach (var fuzz in fuzzer.Cases(op))
            {
                var (status, body) = await SendAsync(fuzz.Operation.Method, fuzz.Url, fuzz.Body, fuzz.ContentType);
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500) failures.Add($"{fuzz.Operation} [{fuzz.Mutation}] {Short(fuzz.Url, 200)} answered {status}: {Short(body)}");
            }
            await AssertAliveAsync(op.ToString());
        }
        output.WriteLine($"{statuses.Values.Sum()} requests over {app.Api.All.Count} operations: " +
            string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} server errors:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task a_chunked_body_over_the_limit_is_refused_with_413()
    {
        var failures = new List<string>();
        foreach (var op in app.Api.All.Where(o => o.BodySchema is not null).Take(8).Append(null))
        {
            var url = op is null ? $"/api/v1/audit/ingest/{app.Ids["clusters"]}" : new RequestFuzzer(app.Api, app.Ids, app.Kubeconfig).Url(op, _ => null, _ => null);
            var method = op?.Method ?? "POST";
            var megabytes = op is null ? 65 : 5;
            var (status, body) = await SendChunkedAsync(method, url, megabytes);
            if (status != 413) failures.Add($"{method} {url} [chunked body of {megabytes} MiB] answered {status}: {Short(body)}");
            await AssertAliveAsync($"{method} {url}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<(int Status, string Body)> SendAsync(string method, string url, string? body, string contentType)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
        try
        {
            using var response = await app.Admin.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e)
        {
            return (599, $"no answer: {e.Message}");
        }
    }

    /// <summary>
    /// Sends the body chunked over a bare socket while reading the answer at the same time, as a browser or curl does:
    /// Kestrel answers 413 and closes the connection while the client is still writing, and HttpClient then reports
    /// the failed write ("Error while copying content") instead of the answer it had already received.
    /// </summary>
    private async Task<(int Status, string Body)> SendChunkedAsync(string method, string url, int megabytes)
    {
        var authorization = url.StartsWith("/api/v1/audit/ingest/", StringComparison.Ordinal)
            ? $"Bearer {await WebhookSecretAsync()}"
            : app.Admin.DefaultRequestHeaders.Authorization!.ToString();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(app.BaseAddress.Host, app.BaseAddress.Port);
        var head = $"{method} {url} HTTP/1.1\r\nHost: {app.BaseAddress.Authority}\r\nAuthorization: {authorization}\r\n" +
                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));

        var answer = new MemoryStream();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer)) > 0) answer.Write(buffer, 0, n);
            }
            catch (System.Net.Sockets.SocketException) { } // reset after the answer: what was received is kept
        });

        var body = new EndlessJson(megabytes);
        var chunk = new byte[64 * 1024];
        try
        {
            int n;
            while (!reading.IsCompleted && (n = body.Read(chunk, 0, chunk.Length)) > 0)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"{n:x}\r\n"));
                await socket.SendAsync(chunk.AsMemory(0, n));
                await socket.SendAsync("\r\n"u8.ToArray());
            }
            if (!reading.IsCompleted) await socket.SendAsync("0\r\n\r\n"u8.ToArray());
        }
        catch (System.Net.Sockets.SocketException) { } // the server stopped reading: its answer is what counts
        await reading.WaitAsync(TimeSpan.FromSeconds(60));

        var text = Encoding.UTF8.GetString(answer.ToArray());
        var parts = text.Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.1", StringComparison.Ordinal) || !int.TryParse(parts[1], out var status))
            return (599, $"no answer: {Short(text)}");
        var separator = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, separator < 0 ? "" : text[(separator + 4)..]);
    }

    /// <summary>A new audit webhook secret: over http, the last segment of the kubeconfig's server URL.</summary>
    private async Task<string> WebhookSecretAsync()
    {
        var webhook = await (await app.Admin.PostAsync($"/api/v1/clusters/{app.Ids["clusters"]}/audit-webhook/rotate", null)).BodyAsync();
        return TestSecrets.Remember(((string)webhook["kubeconfig"]!).Split('\n').Select(l => l.Trim())
            .First(l => l.StartsWith("server:"))["server:".Length..].Trim().Split('/')[^1]);
    }

    private async Task AssertAliveAsync(string after)
    {
        using var client = app.Anonymous();
        var health = await client.GetAsync("/healthz");
        Assert.True(health.StatusCode == HttpStatusCode.OK, $"/healthz answered {(int)health.StatusCode} after {after}");
    }

    private static string Short(string body, int max = 600) => body.Length > max ? body[..max] + "…" : body;

    /// <summary>`{"name":"xxxx…` of the given size, produced as it is read: a body with no Content-Length.</summary>
    private sealed class EndlessJson(int megabytes) : Stream
    {
        private readonly long _length = megabytes * 1024L * 1024L;
        private long _position;
        private static readonly byte[] Start = "{\"name\":\""u8.ToArray();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _length - _position);
            for (var i = 0; i < n; i++)
                buffer[offset + i] = _position + i < Start.Length ? Start[_position + i] : (byte)'x';
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
