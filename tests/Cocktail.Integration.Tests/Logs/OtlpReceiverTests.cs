using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cocktail.Integration.Tests.Clusters;
using Cocktail.Integration.Tests.Platform;
using Cocktail.KubeSim;
using Cocktail.KubeSim.Otlp;
using Cocktail.Testing;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Resource.V1;

namespace Cocktail.Integration.Tests.Logs;

[Collection(OtlpCollection.Name)]
public sealed class OtlpReceiverTests(OtlpApp app)
{
    private const string Protobuf = "application/x-protobuf";

    private async Task<(Guid ClusterId, string Token, HttpClient Admin)> ClusterWithTokenAsync()
    {
        await using var sim = await ClusterApp.StartClusterAsync(nodes: 1);
        var admin = await app.AsAdminAsync();
        var clusterId = Guid.Parse((string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!);
        return (clusterId, await LogShipping.CreateLogTokenAsync(admin, clusterId), admin);
    }

    private static ExportLogsServiceRequest Request(string pod, params string[] bodies)
    {
        var resource = new Resource();
        foreach (var (k, v) in new[]
                 {
                     ("k8s.namespace.name", "shop"), ("k8s.pod.name", pod), ("k8s.container.name", "web"), ("k8s.node.name", "node-1"),
                     ("k8s.replicaset.name", "web-7d9f"), ("k8s.deployment.name", "web"),
                 })
            resource.Attributes.Add(new KeyValue { Key = k, Value = new AnyValue { StringValue = v } });
        var scope = new ScopeLogs();
        var at = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        foreach (var body in bodies)
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = at, SeverityNumber = SeverityNumber.Warn, SeverityText = "WARN", Body = new AnyValue { StringValue = body },
            });
        return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = resource, ScopeLogs = { scope } } } };
    }

    private async Task<HttpResponseMessage> PostAsync(string? token, byte[] body, string contentType = Protobuf, bool gzip = false)
    {
        using var client = app.Anonymous();
        var content = new ByteArrayContent(gzip ? Gzip(body) : body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (gzip) content.Headers.ContentEncoding.Add("gzip");
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/logs") { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }

    private static async Task<Google.Rpc.Status> StatusAsync(HttpResponseMessage response)
    {
        Assert.Equal(Protobuf, response.Content.Headers.ContentType?.MediaType);
        return Google.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
    }

    private IReadOnlyList<Application.Logs.IncomingLogLine> Stored(Guid clusterId) => app.Store.Lines.Where(l => l.ClusterId == clusterId).ToList();

    [Fact]
    public async Task a_protobuf_request_is_stored_with_its_cluster_pod_container_node_and_workload_and_answered_in_protobuf()
    {
        var (clusterId, token, _) = await ClusterWithTokenAsync();

        var response = await PostAsync(token, Request("web-7d9f-x1", "GET /cart 200", "GET /pay 502").ToByteArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Protobuf, response.Content.Headers.ContentType?.MediaType);
        var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(answer.PartialSuccess);
        var lines = Stored(clusterId);
        Assert.Equal(["GET /cart 200", "GET /pay 502"], lines.Select(l => l.Body));
        var line = lines[0];
        Assert.Equal(("shop", "web-7d9f-x1", "web", "node-1", "Deployment", "web"), (line.Namespace, line.Pod, line.Container, line.Node, line.WorkloadKind, line.WorkloadName));
        Assert.Equal((13, "WARN", false), (line.SeverityNumber, line.SeverityText, line.Truncated));
        Assert.Null(line.ServiceMapId); // no service map owns "shop" on this cluster
        Assert.True(DateTimeOffset.UtcNow - line.Time < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task a_json_request_with_hex_ids_and_int64_as_strings_or_numbers_is_stored_and_answered_in_json()
    {
        var (clusterId, token, _) = await ClusterWithTokenAsync();
        var nanos = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        var json = $$$$"""
            {"resourceLogs":[{"resource":{"attributes":[
                {"key":"k8s.namespace.name","value":{"stringValue":"shop"}},{"key":"k8s.pod.name","value":{"stringValue":"db-0"}},
                {"key":"k8s.container.name","value":{"stringValue":"postgres"}},{"key":"k8s.statefulset.name","value":{"stringValue":"db"}}]},
              "scopeLogs":[{"scope":{"name":"x"},"logRecords":[
                {"timeUnixNano":"{{{{nanos}}}}","severityNumber":17,"severityText":"ERROR","body":{"stringValue":"checkpoint failed"},
                 "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","someFutureField":{"a":1}},
                {"timeUnixNano":{{{{nanos}}}},"body":{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"slow query"}},{"key":"ms","value":{"intValue":"1200"}}]}}}
              ]}]}]}
            """;

        var response = await PostAsync(token, Encoding.UTF8.GetBytes(json), "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("{ }", (await response.Content.ReadAsStringAsync()).Replace("{}", "{ }"));
        var lines = Stored(clusterId);
        Assert.Equal(2, lines.Count);
        Assert.Equal(("checkpoint failed", 17, "StatefulSet", "db"), (lines[0].Body, lines[0].SeverityNumber, lines[0].WorkloadKind, lines[0].WorkloadName));
        Assert.Equal("""{"msg":"slow query","ms":1200}""", lines[1].Body);
        // A JSON number is read as a double: nanoseconds since 1970 keep about a microsecond (strings keep them all).
        Assert.True((lines[0].Time - lines[1].Time).Duration() < TimeSpan.FromMilliseconds(1));
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - lines[0].Time).TotalMinutes) < 1);
    }

    [Fact]
    public async Task a_gzipped_request_is_stored_and_a_body_that_is_not_gzip_gets_400()
    {
        var (clusterId, token, _) = await ClusterWithTokenAsync();

        var gzipped = await PostAsync(token, Request("web-1", "zipped line").ToByteArray(), gzip: true);
        using var client = app.Anonymous();
        var notGzip = new ByteArrayContent(Request("web-1", "x").ToByteArray());
        notGzip.Headers.ContentType = new MediaTypeHeaderValue(Protobuf);
        notGzip.Headers.ContentEncoding.Add("gzip");
        var bad = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/logs")
        {
            Content = notGzip, Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
        });

        Assert.Equal(HttpStatusCode.OK, gzipped.StatusCode);
        Assert.Equal(["zipped line"], Stored(clusterId).Select(l => l.Body));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not gzip", (await StatusAsync(bad)).Message);
    }

    [Fact]
    public async Task a_wrong_or_missing_or_rotated_token_gets_401_with_a_status_body()
    {
        var (clusterId, token, admin) = await ClusterWithTokenAsync();
        var body = Request("web-1", "secret line").ToByteArray();

        var missing = await PostAsync(null, body);
        var wrong = await PostAsync("ckl_" + new string('0', 64), body);
        var apiStyle = await PostAsync("ckt_not-a-log-token", body);
        var newToken = await LogShipping.CreateLogTokenAsync(admin, clusterId);
        var old = await PostAsync(token, body);
        var current = await PostAsync(newToken, body);

        foreach (var refused in new[] { missing, wrong, apiStyle, old })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal(16, (await StatusAsync(refused)).Code);
        }
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Single(Stored(clusterId));
    }

    [Fact]
    public async Task malformed_protobuf_and_json_get_400_never_500_and_store_nothing()
    {
        var (clusterId, token, _) = await ClusterWithTokenAsync();
        var valid = Request("web-1", "fine").ToByteArray();

        var truncated = await PostAsync(token, valid[..(valid.Length / 2)]);
        var garbage = await PostAsync(token, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0x02]);
        var brokenJson = await PostAsync(token, "{\"resourceLogs\":[{"u8.ToArray(), "application/json");
        var wrongType = await PostAsync(token, """{"resourceLogs":"nope"}"""u8.ToArray(), "application/json");
        var badTraceId = await PostAsync(token, """{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"not hex!"}]}]}]}"""u8.ToArray(), "application/json");
        var text = await PostAsync(token, "hello"u8.ToArray(), "text/plain");

        foreach (var bad in new[] { truncated, garbage })
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("not a valid protobuf ExportLogsServiceRequest", (await StatusAsync(bad)).Message);
        }
        foreach (var bad in new[] { brokenJson, wrongType, badTraceId })
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/json", bad.Content.Headers.ContentType?.MediaType);
            Assert.Contains("not a valid JSON ExportLogsServiceRequest", await bad.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Empty(Stored(clusterId));
    }

    [Fact]
    public async Task a_10_mb_line_is_stored_cut_to_64_KiB_and_marked_truncated()
    {
        var (clusterId, token, _) = await ClusterWithTokenAsync();
        var huge = "é" + new string('x', 10 * 1024 * 1024);

        var response = await PostAsync(token, Request("web-1", huge, "short").ToByteArray(), gzip: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = Stored(clusterId);
        Assert.True(lines[0].Truncated);
        Assert.Equal(64 * 1024, Encoding.UTF8.GetByteCount(lines[0].Body));
        Assert.StartsWith("éxxx", lines[0].Body);
        Assert.False(lines[1].Truncated);
    }

    [Fact]
    public async Task invalid_utf8_is_stored_with_replacement_characters_and_nul_never_reaches_the_store()
    {
        var (clusterId, token, _) = await ClusterWithTokenAsync();
        var request = Request("web-1", "placeholder");
        request.ResourceLogs[0].ScopeLogs[0].LogRecords[0].Body = new AnyValue { BytesValue = ByteString.CopyFrom(0xC3, 0x28, 0xFF, 0x00) };
        var bytes = request.ToByteArray();
        // bytes_value (field 7, tag 0x3A) and string_value (field 1, tag 0x0A) have the same wire type: one byte turns
        // these four bytes into a string field of broken UTF-8 and a NUL, which no encoder would send.
        var tag = bytes.AsSpan().IndexOf(new byte[] { 0x3A, 4, 0xC3, 0x28, 0xFF, 0x00 });
        bytes[tag] = 0x0A;

        var response = await PostAsync(token, bytes);
        Assert.True(response.StatusCode == HttpStatusCode.OK, response.StatusCode == HttpStatusCode.OK ? "" : (await StatusAsync(response)).Message);
        var json = await PostAsync(token, [.. "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"a"u8, 0xFF, .. "b\"}}]}]}]}"u8],
            "application/json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Equal(["\uFFFD(\uFFFD\uFFFD", "a\uFFFDb"], Stored(clusterId).Select(l => l.Body));
    }

    [Fact]
    public async Task a_record_with_too_many_attributes_is_rejected_in_partial_success_and_the_rest_stored()
    {
        var (clusterId, token, _) = await ClusterWithTokenAsync();
        var request = Request("web-1", "kept", "rejected");
        var rejected = request.ResourceLogs[0].ScopeLogs[0].LogRecords[1];
        for (var i = 0; i < 300; i++) rejected.Attributes.Add(new KeyValue { Key = $"a{i}", Value = new AnyValue { IntValue = i } });

        var response = await PostAsync(token, request.ToByteArray());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, answer.PartialSuccess.RejectedLogRecords);
        Assert.Contains("more than 256 attributes", answer.PartialSuccess.ErrorMessage);
        Assert.Equal(["kept"], Stored(clusterId).Select(l => l.Body));
    }

    [Fact]
    public async Task a_gzip_bomb_gets_413_before_it_is_inflated_whole()
    {
        var (_, token, _) = await ClusterWithTokenAsync();
        var zeros = new byte[40 * 1024 * 1024];

        var response = await PostAsync(token, zeros, gzip: true);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("send smaller batches", (await StatusAsync(response)).Message);
    }

    [Fact]
    public async Task kubesim_ships_its_containers_lines_like_a_collector_and_they_are_stored_with_their_pods()
    {
        await using var sim = await ClusterApp.StartClusterAsync(nodes: 1);
        using var admin = await app.AsAdminAsync();
        var clusterId = Guid.Parse((string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!);
        sim.Objects.SeedPods("team-a", 2, prefix: "api");
        await sim.Objects.WaitForAsync("v1", "Pod", "api-1", "team-a", p => p["status"]?["phase"]?.GetValue<string>() == "Running");

        await app.ShipLogsAsync(sim, clusterId);

        var lines = await Eventually.GetAsync(() => Task.FromResult(Stored(clusterId)),
            l => l.Select(x => x.Pod).Distinct().Count() == 2, TimeSpan.FromSeconds(20), "both pods' lines");
        var line = lines.First(l => l.Pod == "api-0");
        Assert.Equal(("team-a", "app", 9, "INFO"), (line.Namespace, line.Container, line.SeverityNumber, line.SeverityText));
        Assert.EndsWith("-node-0", line.Node);
        Assert.Contains("api-0/app request served", line.Body);
        Assert.Equal(0, sim.LogShipping.Stats.DroppedLines);
    }

    [Fact]
    public async Task a_full_queue_answers_429_with_retry_after_and_the_senders_retry_then_succeeds()
    {
        await using var sim = await ClusterApp.StartClusterAsync(nodes: 1);
        using var admin = await app.AsAdminAsync();
        var clusterId = Guid.Parse((string)(await ClusterApp.RegisterAsync(admin, sim))["cluster"]!["id"]!);
        sim.Objects.SeedPods("team-b", 1, prefix: "burst");
        await sim.Objects.WaitForAsync("v1", "Pod", "burst-0", "team-b", p => p["status"]?["phase"]?.GetValue<string>() == "Running");
        await app.ShipLogsAsync(sim, clusterId, o => o with { FromStart = false, BatchMaxLines = 40, PollInterval = TimeSpan.FromSeconds(30) });

        app.Store.Hold();
        try
        {
            for (var i = 0; i < 120; i++) sim.LogShipping.Write("team-b", "burst-0", "app", $"burst line {i}");
            await Eventually.GetAsync(() => Task.FromResult(sim.LogShipping.Stats), s => s.ThrottledAnswers >= 1, TimeSpan.FromSeconds(20), "a 429");
            Assert.Equal(429, sim.LogShipping.Stats.LastStatus);
        }
        finally
        {
            app.Store.Release();
        }

        var stored = await Eventually.GetAsync(() => Task.FromResult(Stored(clusterId).Where(l => l.Body.StartsWith("burst line")).ToList()),
            l => l.Count >= 120, TimeSpan.FromSeconds(30), "every burst line after the retries");
        Assert.Equal(120, stored.Select(l => l.Body).Distinct().Count());
        var stats = sim.LogShipping.Stats;
        Assert.Equal((0L, 0L), (stats.DroppedLines, stats.RejectedLines));
        Assert.True(stats.RetriedAttempts >= 1);
    }
}
