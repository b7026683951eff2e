using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Testing;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;
using Xunit.Abstractions;

namespace Cocktail.Integration.Tests.Logs;

/// <summary>
/// The receiver alone (decode, map, queue; the store is the in-memory recording one): gzip protobuf batches of 2,000
/// lines, one after another (this app's queue is kept small). Prints lines per second.
/// </summary>
[Collection(OtlpCollection.Name)]
public sealed class ReceiverThroughputTests(OtlpApp app, ITestOutputHelper output)
{
    [Fact]
    public async Task the_receiver_takes_batches_from_concurrent_senders_and_reports_its_rate()
    {
        await using var sim = await ClusterApp.StartClusterAsync(nodes: 1);
        using var admin = await app.AsAdminAsync();
        var clusterId = Guid.Parse((string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!);
        var token = await LogShipping.CreateLogTokenAsync(admin, clusterId);
        // One sender at a time: this app's queue holds 50 lines, so concurrent batches would be throttled (429), as they should.
        const int linesPerBatch = 2000, batches = 60, senders = 1;
        var body = Gzip(Batch(linesPerBatch).ToByteArray());
        using var client = app.Anonymous();

        await SendAsync(client, token, body); // warm-up
        var before = app.Store.Lines.Count;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), new ParallelOptions { MaxDegreeOfParallelism = senders },
            async (_, _) => Assert.Equal(HttpStatusCode.OK, await SendAsync(client, token, body)));
        clock.Stop();

        var rate = batches * linesPerBatch / clock.Elapsed.TotalSeconds;
        output.WriteLine($"OTLP receiver: {batches * linesPerBatch} lines in {clock.Elapsed.TotalSeconds:F2} s = {rate:F0} lines/s " +
                         $"({senders} senders, {linesPerBatch} lines a batch, {body.Length} bytes gzip protobuf)");
        Console.WriteLine($"OTLP receiver: {rate:F0} lines/s");
        Assert.Equal(before + batches * linesPerBatch, app.Store.Lines.Count);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string token, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static ExportLogsServiceRequest Batch(int lines)
    {
        var request = new ExportLogsServiceRequest();
        var at = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        for (var pod = 0; pod < 10; pod++)
        {
            var resource = new Resource();
            foreach (var (k, v) in new[] { ("k8s.namespace.name", "shop"), ("k8s.pod.name", $"web-{pod}"), ("k8s.container.name", "web"), ("k8s.deployment.name", "web") })
                resource.Attributes.Add(new KeyValue { Key = k, Value = new AnyValue { StringValue = v } });
            var scope = new ScopeLogs();
            for (var i = 0; i < lines / 10; i++)
                scope.LogRecords.Add(new LogRecord
                {
                    TimeUnixNano = at + (ulong)i, SeverityNumber = SeverityNumber.Info, SeverityText = "INFO",
                    Body = new AnyValue { StringValue = $"2026-12-02T09:00:00Z INFO web-{pod}/web request served path=/api/items/{i % 97} status=200 line={i}" },
                });
            request.ResourceLogs.Add(new ResourceLogs { Resource = resource, ScopeLogs = { scope } });
        }
        return request;
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }
}
