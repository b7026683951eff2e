using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Logs;
using Cocktail.Domain.Logs;
using Cocktail.Infrastructure.Logs;
using Cocktail.Integration.Tests.Platform;
using Cocktail.Integration.Tests.Tenancy;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cocktail.Integration.Tests.Logs;

public sealed class LogsApp : CocktailApp;

[CollectionDefinition(Name)]
public sealed class LogsCollection : ICollectionFixture<LogsApp>
{
    public const string Name = "logs";
}

/// <summary>
/// The log store and its API against a real PostgreSQL: lines are appended through the store (as the OTLP receiver does)
/// and read back through the API as the callers would.
/// </summary>
[Collection(LogsCollection.Name)]
public sealed class LogsApiTests(LogsApp app)
{
    private ILogStore Store => app.Services.GetRequiredService<ILogStore>();

    private static IncomingLogLine Line(string body, DateTimeOffset time, string pod, Guid? workspace = null, Guid? map = null, int severity = 9,
        string workload = "checkout", Guid? cluster = null) =>
        new(time, time, severity, severity >= 17 ? "ERROR" : "INFO", body, false, cluster ?? ClusterId, workspace, map, "ns", pod, "app", "node-1",
            "Deployment", workload);

    private static readonly Guid ClusterId = Guid.NewGuid();

    private static string Unique(string prefix) => $"{prefix}{Guid.NewGuid():N}"[..(prefix.Length + 10)];

    private static async Task<JsonNode> GetAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.BodyAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {body.ToJsonString()}");
        return body;
    }

    private static string T(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O"));

    /// <summary>
    /// The tail only returns transactions below the database's horizon, so while another test class holds a write
    /// transaction open the line just appended is held back (by design: it is delayed, never lost). Wait for it.
    /// </summary>
    private static async Task<JsonNode> FirstTailAsync(HttpClient client, string pod)
    {
        JsonNode page = null!;
        await Eventually.TrueAsync(async () =>
        {
            page = await GetAsync(client, $"/api/v1/logs/tail?pod={pod}");
            return page["items"]!.AsArray().Count > 0;
        }, TimeSpan.FromSeconds(20));
        return page;
    }

    private static List<string> Bodies(JsonNode page) => page["items"]!.AsArray().Select(i => (string)i!["body"]!).ToList();

    [Fact]
    public async Task words_phrases_and_exclusions_find_exactly_the_lines_that_match_newest_first()
    {
        using var admin = await app.AsAdminAsync();
        var pod = Unique("pod-");
        var now = DateTimeOffset.UtcNow;
        await Store.AppendAsync([
            Line("payment card declined for order 17", now.AddSeconds(-50), pod),
            Line("payment accepted card ok", now.AddSeconds(-40), pod),
            Line("card was declined by the payment gateway", now.AddSeconds(-30), pod),
            Line("debug payment card declined retry", now.AddSeconds(-20), pod),
            Line("unrelated line", now.AddSeconds(-10), pod),
        ], CancellationToken.None);

        async Task<List<string>> Search(string q) => Bodies(await GetAsync(admin, $"/api/v1/logs?pod={pod}&window=1h&q={Uri.EscapeDataString(q)}"));

        Assert.Equal(["debug payment card declined retry", "card was declined by the payment gateway", "payment card declined for order 17"],
            await Search("payment declined"));
        Assert.Equal(["debug payment card declined retry", "payment card declined for order 17"], await Search("\"card declined\""));
        Assert.Equal(["card was declined by the payment gateway", "payment card declined for order 17"], await Search("payment declined -debug"));
        Assert.Equal(["card was declined by the payment gateway"], await Search("declined -\"card declined\""));
        Assert.Empty(await Search("declin"));
        Assert.Equal(5, (await Search("")).Count);
    }

    [Fact]
    public async Task bad_queries_are_400s_on_their_field_and_never_500s()
    {
        using var admin = await app.AsAdminAsync();
        async Task<JsonNode> Problem(string url)
        {
            var response = await admin.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return await response.BodyAsync();
        }

        Assert.NotNull((await Problem("/api/v1/logs?q=" + Uri.EscapeDataString("error \"timeout")))["errors"]!["q"]);
        Assert.NotNull((await Problem($"/api/v1/logs?from={T(DateTimeOffset.UtcNow.AddYears(-10))}"))["errors"]!["from"]);
        Assert.NotNull((await Problem("/api/v1/logs?limit=100000"))["errors"]!["limit"]);
        Assert.NotNull((await Problem("/api/v1/logs?clusterId=not-an-id"))["errors"]!["clusterId"]);
        Assert.NotNull((await Problem("/api/v1/logs?minSeverity=loud"))["errors"]!["minSeverity"]);
        Assert.NotNull((await Problem("/api/v1/logs/histogram?q=" + Uri.EscapeDataString("-\"a")))["errors"]!["q"]);
        Assert.NotNull((await Problem("/api/v1/logs/tail?wait=600"))["errors"]!["wait"]);
        Assert.NotNull((await Problem("/api/v1/logs/lines/nonsense/context"))["errors"]!["lineId"]);
    }

    [Fact]
    public async Task paging_continues_with_older_lines_without_repeats_or_gaps()
    {
        using var admin = await app.AsAdminAsync();
        var pod = Unique("page-");
        var now = DateTimeOffset.UtcNow;
        // Two lines share each timestamp: the id breaks the tie so that no page repeats or skips one.
        await Store.AppendAsync([.. Enumerable.Range(0, 25).Select(i => Line($"line {i:00}", now.AddSeconds(-60 + i / 2), pod))], CancellationToken.None);

        var seen = new List<string>();
        string? before = null;
        do
        {
            var page = await GetAsync(admin, $"/api/v1/logs?pod={pod}&limit=7" + (before is null ? "" : $"&before={before}"));
            seen.AddRange(Bodies(page));
            before = (bool)page["more"]! ? (string)page["nextBefore"]! : null;
        } while (before is not null);

        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"line {i:00}"), seen);
    }

    [Fact]
    public async Task context_shows_the_same_pods_lines_around_a_hit_oldest_first()
    {
        using var admin = await app.AsAdminAsync();
        var pod = Unique("ctx-");
        var now = DateTimeOffset.UtcNow;
        await Store.AppendAsync([
            .. Enumerable.Range(0, 10).Select(i => Line(i == 5 ? "needle here" : $"hay {i}", now.AddSeconds(-100 + i), pod)),
            Line("another pod's line", now.AddSeconds(-95), Unique("other-")),
        ], CancellationToken.None);
        var hit = (await GetAsync(admin, $"/api/v1/logs?pod={pod}&q=needle"))["items"]![0]!;

        var context = (await GetAsync(admin, $"/api/v1/logs/lines/{(string)hit["id"]!}/context?before=2&after=3")).AsArray();

        Assert.Equal(["hay 3", "hay 4", "needle here", "hay 6", "hay 7", "hay 8"], context.Select(l => (string)l!["body"]!));
    }

    [Fact]
    public async Task the_histogram_counts_the_matches_in_each_bucket()
    {
        using var admin = await app.AsAdminAsync();
        var pod = Unique("histo-");
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        start = new DateTimeOffset(start.Ticks - start.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        await Store.AppendAsync([
            Line("timeout calling db", start.AddSeconds(10), pod), Line("timeout calling db", start.AddSeconds(20), pod),
            Line("ok", start.AddSeconds(30), pod), Line("timeout calling cache", start.AddMinutes(2).AddSeconds(5), pod),
        ], CancellationToken.None);

        var buckets = (await GetAsync(admin,
            $"/api/v1/logs/histogram?pod={pod}&q=timeout&from={T(start)}&to={T(start.AddMinutes(3))}&buckets=3")).AsArray();

        Assert.Equal([2L, 0L, 1L], buckets.Select(b => (long)b!["count"]!));
        Assert.Equal(start, (DateTimeOffset)buckets[0]!["start"]!);
        Assert.Equal(start.AddMinutes(3), (DateTimeOffset)buckets[2]!["end"]!);
    }

    [Fact]
    public async Task a_tail_that_waits_gets_the_line_appended_meanwhile()
    {
        using var admin = await app.AsAdminAsync();
        var pod = Unique("tail-");
        await Store.AppendAsync([Line("before the tail", DateTimeOffset.UtcNow, pod)], CancellationToken.None);
        var first = await FirstTailAsync(admin, pod);
        Assert.Equal(["before the tail"], Bodies(first));

        var waiting = GetAsync(admin, $"/api/v1/logs/tail?pod={pod}&wait=20&after={(string)first["cursor"]!}");
        await Task.Delay(300); // the long poll is waiting on the server before the line arrives
        await Store.AppendAsync([Line("live line", DateTimeOffset.UtcNow, pod)], CancellationToken.None);
        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(["live line"], Bodies(next));
    }

    [Fact]
    public async Task a_tail_misses_no_line_when_another_replica_commits_an_earlier_batch_after_a_later_one()
    {
        using var admin = await app.AsAdminAsync();
        var pod = Unique("tail2-");
        await Store.AppendAsync([Line("before", DateTimeOffset.UtcNow, pod)], CancellationToken.None);
        var first = await FirstTailAsync(admin, pod);
        Assert.Equal(["before"], Bodies(first));
        var cursor = (string)first["cursor"]!;

        // The other replica's COPY: it takes its line number first, then commits after this replica's batch.
        await using var other = new NpgsqlConnection(app.ConnectionString);
        await other.OpenAsync();
        await using var slow = await other.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
                         "insert into cocktail.logs (ts, observed_at, cluster_id, retention, severity, truncated, pod, workload_name, body) " +
                         "values (now(), now(), $1, 7, 9, false, $2, 'checkout', 'from the other replica')", other, slow))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = ClusterId });
            insert.Parameters.Add(new NpgsqlParameter { Value = pod });
            await insert.ExecuteNonQueryAsync();
        }
        await Store.AppendAsync([Line("from this replica", DateTimeOffset.UtcNow, pod)], CancellationToken.None);
        var seen = new List<string>();
        var held = await GetAsync(admin, $"/api/v1/logs/tail?pod={pod}&after={Uri.EscapeDataString(cursor)}");
        seen.AddRange(Bodies(held));
        cursor = (string?)held["cursor"] ?? cursor;
        await slow.CommitAsync();

        await Eventually.TrueAsync(async () =>
        {
            var next = await GetAsync(admin, $"/api/v1/logs/tail?pod={pod}&after={Uri.EscapeDataString(cursor)}");
            seen.AddRange(Bodies(next));
            cursor = (string?)next["cursor"] ?? cursor;
            return seen.Count >= 2;
        }, TimeSpan.FromSeconds(20));

        Assert.Equal(["from the other replica", "from this replica"], seen);
    }

    [Fact]
    public async Task a_shortened_retention_applies_to_the_lines_already_stored()
    {
        await using var a = await Tenancy.Tenancy.CreateAsync(app);
        var pod = Unique("short-");
        var wa = Guid.Parse(a.WorkspaceId);
        var old = DateTimeOffset.UtcNow.AddDays(-2.5);
        var recent = DateTimeOffset.UtcNow.AddHours(-1);
        await Store.AppendAsync([Line("old line", old, pod, wa, Guid.NewGuid()), Line("recent line", recent, pod, wa, Guid.NewGuid())], CancellationToken.None);
        using var admin = await app.AsAdminAsync();
        var range = $"pod={pod}&from={T(old.AddHours(-1))}&to={T(DateTimeOffset.UtcNow.AddMinutes(1))}";
        Assert.Equal(["recent line", "old line"], Bodies(await GetAsync(admin, $"/api/v1/logs?{range}")));

        var set = await a.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/log-retention", new { days = 1 });
        Assert.Equal(1, (int)(await set.BodyAsync())["days"]!);
        var store = (PostgresLogStore)Store;
        await store.ApplyShortenedRetentionsAsync(DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(["recent line"], Bodies(await GetAsync(admin, $"/api/v1/logs?{range}")));
        var dropped = await store.DropExpiredAsync(DateTimeOffset.UtcNow.AddDays(2), CancellationToken.None);
        Assert.Contains($"logs_r1_{recent.UtcDateTime:yyyyMMdd}", dropped);
        Assert.Empty(Bodies(await GetAsync(admin, $"/api/v1/logs?{range}")));
    }

    [Fact]
    public async Task a_closed_hour_gets_its_text_index_and_finds_the_same_lines_as_before()
    {
        using var admin = await app.AsAdminAsync();
        var pod = Unique("seal-");
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        await Store.AppendAsync([Line("payment timeout upstream", at, pod), Line("payment ok", at.AddSeconds(1), pod), Line("cart timeout", at.AddSeconds(2), pod)],
            CancellationToken.None);
        var url = $"/api/v1/logs?pod={pod}&from={T(at.AddMinutes(-1))}&to={T(at.AddMinutes(1))}&q={Uri.EscapeDataString("timeout -cart")}";
        Assert.Equal(["payment timeout upstream"], Bodies(await GetAsync(admin, url)));

        var sealedLeaves = await ((PostgresLogStore)Store).SealClosedHoursAsync(DateTimeOffset.UtcNow, TimeSpan.Zero, CancellationToken.None);

        Assert.Contains($"logs_r7_{at.UtcDateTime:yyyyMMdd_HH}", sealedLeaves);
        Assert.Equal(["payment timeout upstream"], Bodies(await GetAsync(admin, url)));
    }

    [Fact]
    public async Task an_export_streams_every_match_and_is_recorded_with_who_the_query_and_the_rows()
    {
        using var admin = await app.AsAdminAsync();
        var pod = Unique("export-");
        var now = DateTimeOffset.UtcNow;
        await Store.AppendAsync([
            Line("=cmd|' /C calc'!A0 export me", now.AddSeconds(-3), pod), Line("export me \"quoted\", too", now.AddSeconds(-2), pod),
            Line("not this one", now.AddSeconds(-1), pod),
        ], CancellationToken.None);

        var csv = await admin.GetStringAsync($"/api/v1/logs/export?pod={pod}&q=export");
        var json = JsonNode.Parse(await admin.GetStringAsync($"/api/v1/logs/export?pod={pod}&q=export&format=json"))!.AsArray();

        Assert.Equal(3, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"export me \"\"quoted\"\", too\"", csv);
        Assert.Contains("'=cmd", csv); // a formula is escaped for spreadsheets
        Assert.Equal(["export me \"quoted\", too", "=cmd|' /C calc'!A0 export me"], json.Select(l => (string)l!["body"]!));
        var exports = await Eventually.GetAsync(async () =>
        {
            await using var session = app.Services.GetRequiredService<IDocumentStore>().QuerySession();
            return (await session.Events.QueryRawEventDataOnly<LogsExported>().ToListAsync()).Where(e => e.Query.Contains(pod)).ToList();
        }, e => e.Count == 2, because: "both exports recorded");
        Assert.All(exports, e => Assert.Equal(2, e.Rows));
        Assert.All(exports, e => Assert.Equal(CocktailApp.AdminUserName, e.ExportedBy.Name));
        Assert.Contains(exports, e => e.Format == "json" && e.Query.StartsWith("q=export ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task retention_is_set_per_workspace_and_expiry_drops_the_short_ones_partition_leaving_the_others_lines()
    {
        await using var a = await Tenancy.Tenancy.CreateAsync(app);
        await using var b = await Tenancy.Tenancy.CreateAsync(app, sim: a.Sim, clusterId: a.ClusterId);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await a.Viewer.Client.PutAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/log-retention", new { days = 3 })).StatusCode);
        var invalid = await a.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/log-retention", new { days = 5 });
        Assert.NotNull((await invalid.BodyAsync())["errors"]!["days"]);
        var set = await a.WorkspaceAdmin.Client.PutAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/log-retention", new { days = 3 });
        Assert.Equal(3, (int)(await set.BodyAsync())["days"]!);
        Assert.Equal(7, (int)(await GetAsync(b.WorkspaceAdmin.Client, $"/api/v1/workspaces/{b.WorkspaceId}/log-retention"))["days"]!);

        var pod = Unique("ret-");
        var old = DateTimeOffset.UtcNow.AddDays(-2.5);
        var (wa, wb) = (Guid.Parse(a.WorkspaceId), Guid.Parse(b.WorkspaceId));
        var stored = await Store.AppendAsync([
            Line("a's old line", old, pod, wa, Guid.NewGuid()), Line("b's old line", old, pod, wb, Guid.NewGuid()),
        ], CancellationToken.None);
        Assert.Equal(2, stored.Stored);
        using var admin = await app.AsAdminAsync();
        var range = $"pod={pod}&from={T(old.AddHours(-1))}&to={T(old.AddHours(1))}";
        Assert.Equal(2, Bodies(await GetAsync(admin, $"/api/v1/logs?{range}")).Count);

        var dropped = await ((PostgresLogStore)Store).DropExpiredAsync(DateTimeOffset.UtcNow.AddDays(2), CancellationToken.None);

        Assert.Contains($"logs_r3_{old.UtcDateTime:yyyyMMdd}", dropped);
        Assert.DoesNotContain(dropped, d => d.StartsWith("logs_r7_", StringComparison.Ordinal) && d.EndsWith(old.UtcDateTime.ToString("yyyyMMdd"), StringComparison.Ordinal));
        Assert.Equal(["b's old line"], Bodies(await GetAsync(admin, $"/api/v1/logs?{range}")));
    }

    [Fact]
    public async Task a_member_never_reads_another_workspaces_lines_by_any_route()
    {
        await using var a = await Tenancy.Tenancy.CreateAsync(app);
        await using var b = await Tenancy.Tenancy.CreateAsync(app, sim: a.Sim, clusterId: a.ClusterId);
        var aMap = Guid.Parse((string)(await a.CreateServiceMapAsync(a.WorkspaceAdmin.Client, Unique("la-")))["id"]!);
        var bMap = Guid.Parse((string)(await b.CreateServiceMapAsync(b.WorkspaceAdmin.Client, Unique("lb-")))["id"]!);
        var (wa, wb, cluster) = (Guid.Parse(a.WorkspaceId), Guid.Parse(b.WorkspaceId), Guid.Parse(a.ClusterId));
        var pod = Unique("iso-"); // one pod name for all, so only visibility separates them
        var now = DateTimeOffset.UtcNow;
        await Store.AppendAsync([
            Line("secret of a", now.AddSeconds(-3), pod, wa, aMap, cluster: cluster),
            Line("secret of b", now.AddSeconds(-2), pod, wb, bMap, cluster: cluster),
            Line("secret of the platform", now.AddSeconds(-1), pod, cluster: cluster),
        ], CancellationToken.None);
        using var auditor = (await app.CreateUserAsync("Auditor")).Client;
        var all = await GetAsync(auditor, $"/api/v1/logs?pod={pod}");
        Assert.Equal(["secret of the platform", "secret of b", "secret of a"], Bodies(all));
        var bLine = (string)all["items"]![1]!["id"]!;
        var platformLine = (string)all["items"]![0]!["id"]!;

        foreach (var member in new[] { a.Viewer.Client, a.Developer.Client, a.WorkspaceAdmin.Client })
        {
            var texts = new List<string>();
            texts.Add((await GetAsync(member, $"/api/v1/logs?pod={pod}&q=secret")).ToJsonString());
            texts.Add((await GetAsync(member, $"/api/v1/logs?pod={pod}&workspaceId={wb}")).ToJsonString());
            texts.Add((await GetAsync(member, $"/api/v1/logs?pod={pod}&serviceMapId={bMap}")).ToJsonString());
            texts.Add((await GetAsync(member, $"/api/v1/logs/tail?pod={pod}")).ToJsonString());
            texts.Add((await GetAsync(member, $"/api/v1/logs/tail?pod={pod}&after={LowestCursor(now)}")).ToJsonString());
            texts.Add(await member.GetStringAsync($"/api/v1/logs/export?pod={pod}"));
            texts.Add(await member.GetStringAsync($"/api/v1/logs/export?pod={pod}&format=json"));
            Assert.All(texts, t => Assert.DoesNotContain("secret of b", t));
            Assert.All(texts, t => Assert.DoesNotContain("secret of the platform", t));
            Assert.Equal(["secret of a"], Bodies(await GetAsync(member, $"/api/v1/logs?pod={pod}")));
            Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync($"/api/v1/logs/lines/{bLine}/context")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync($"/api/v1/logs/lines/{platformLine}/context")).StatusCode);
            var aLine = (string)(await GetAsync(member, $"/api/v1/logs?pod={pod}"))["items"]![0]!["id"]!;
            var context = (await GetAsync(member, $"/api/v1/logs/lines/{aLine}/context")).ToJsonString();
            Assert.Contains("secret of a", context);
            Assert.DoesNotContain("secret of b", context);
            Assert.DoesNotContain("secret of the platform", context);
            var histogram = (await GetAsync(member, $"/api/v1/logs/histogram?pod={pod}&window=5m&buckets=1")).AsArray();
            Assert.Equal(1L, (long)histogram.Single()!["count"]!);
        }
        using var stranger = (await app.CreateUserAsync()).Client;
        Assert.Empty(Bodies(await GetAsync(stranger, $"/api/v1/logs?pod={pod}")));
    }

    /// <summary>A cursor before every line of the test: the tail then reads all it may see from there.</summary>
    private static string LowestCursor(DateTimeOffset now) => $"{(now.AddMinutes(-1).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10}_0";
}
