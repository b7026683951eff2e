using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using YamlDotNet.Serialization;

namespace Cocktail.Testing.Charts;

/// <summary>
/// A Helm chart repository over plain HTTP on 127.0.0.1 (a free port): <c>GET /index.yaml</c> as
/// <c>helm repo index --url</c> writes it, and <c>GET /charts/&lt;name&gt;-&lt;version&gt;.tgz</c>. Charts can be added
/// and removed while it runs; <see cref="BrokenIndex"/> makes it serve an index that does not parse; request counts
/// let a test see what a client fetched.
/// <code>
/// await using var repo = await ChartRepositoryServer.StartAsync(TestChart.WithConfigMap("podinfo", "1.0.0"));
/// // repo.Url == "http://127.0.0.1:PORT"; Flux: HelmRepository spec.url = repo.Url
/// repo.Add(TestChart.WithConfigMap("podinfo", "1.1.0"));
/// </code>
/// </summary>
public sealed class ChartRepositoryServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentDictionary<(string Name, string Version), TestChart> _charts = new();
    readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    DateTimeOffset _generated = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    ChartRepositoryServer(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <summary>The repository URL without a trailing slash (<c>http://127.0.0.1:PORT</c>), as a HelmRepository's <c>spec.url</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Serve an <c>index.yaml</c> that is not YAML (200, <c>text/yaml</c>), as a misconfigured server would.</summary>
    public bool BrokenIndex { get; set; }

    /// <summary>Write relative <c>urls</c> (<c>charts/x-1.0.0.tgz</c>, as <c>helm repo index</c> without <c>--url</c>) instead of absolute ones.</summary>
    public bool RelativeUrls { get; set; }

    /// <summary>How many times <c>/index.yaml</c> was asked for.</summary>
    public int IndexRequests => Requests("/index.yaml");

    /// <summary>How many chart packages were asked for (any name, found or not).</summary>
    public int ChartRequests => _requests.Where(r => r.Key.StartsWith("/charts/", StringComparison.Ordinal)).Sum(r => r.Value);

    /// <summary>How many GETs this exact path had (e.g. <c>/charts/podinfo-1.0.0.tgz</c>).</summary>
    public int Requests(string path) => _requests.TryGetValue(path, out var count) ? count : 0;

    public IReadOnlyList<TestChart> Charts => _charts.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ThenByDescending(c => c.Version, SemVerComparer.Instance).ToList();

    /// <summary>The absolute URL of a chart's package.</summary>
    public string ChartUrl(TestChart chart) => $"{Url}/charts/{chart.FileName}";

    public static async Task<ChartRepositoryServer> StartAsync(params TestChart[] charts)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ChartRepositoryServer(app);
        foreach (var chart in charts) server.Add(chart);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    /// <summary>Adds (or replaces) a chart version; the index lists it at once.</summary>
    public ChartRepositoryServer Add(TestChart chart)
    {
        _charts[(chart.Name, chart.Version)] = chart;
        Touch();
        return this;
    }

    /// <summary>Removes a chart version from the index and stops serving its package.</summary>
    public bool Remove(string name, string version)
    {
        var removed = _charts.TryRemove((name, version), out _);
        if (removed) Touch();
        return removed;
    }

    void Touch()
    {
        lock (_charts) _generated = _generated.AddSeconds(1);
    }

    /// <summary>The index as served (when not <see cref="BrokenIndex"/>).</summary>
    public string IndexYaml()
    {
        var entries = new SortedDictionary<string, List<Dictionary<string, object>>>(StringComparer.Ordinal);
        foreach (var chart in _charts.Values.OrderByDescending(c => c.Version, SemVerComparer.Instance))
        {
            var entry = new Dictionary<string, object>
            {
                ["apiVersion"] = "v2",
                ["name"] = chart.Name,
                ["version"] = chart.Version,
                ["type"] = chart.Type,
                ["created"] = chart.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"),
                ["digest"] = chart.Digest,
                ["urls"] = new List<string> { RelativeUrls ? $"charts/{chart.FileName}" : ChartUrl(chart) },
            };
            if (chart.AppVersion is not null) entry["appVersion"] = chart.AppVersion;
            if (chart.Description is not null) entry["description"] = chart.Description;
            if (chart.KubeVersion is not null) entry["kubeVersion"] = chart.KubeVersion;
            if (chart.Icon is not null) entry["icon"] = chart.Icon;
            if (chart.Keywords.Count > 0) entry["keywords"] = chart.Keywords.ToList();
            if (chart.Deprecated) entry["deprecated"] = true;
            if (!entries.TryGetValue(chart.Name, out var list)) entries[chart.Name] = list = [];
            list.Add(entry);
        }
        var index = new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["entries"] = entries,
            ["generated"] = _generated.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"),
        };
        return new SerializerBuilder().Build().Serialize(index);
    }

    async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }
        if (path == "/index.yaml")
        {
            context.Response.ContentType = "text/yaml";
            var body = BrokenIndex ? "apiVersion: v1\nentries:\n  podinfo: [ {name: \"unterminated\n" : IndexYaml();
            await context.Response.WriteAsync(body, Encoding.UTF8);
            return;
        }
        if (path.StartsWith("/charts/", StringComparison.Ordinal) && path.EndsWith(".tgz", StringComparison.Ordinal))
        {
            var fileName = path["/charts/".Length..];
            var chart = _charts.Values.FirstOrDefault(c => c.FileName == fileName);
            if (chart is not null)
            {
                var package = chart.Package();
                context.Response.ContentType = "application/gzip";
                context.Response.ContentLength = package.Length;
                await context.Response.Body.WriteAsync(package);
                return;
            }
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        await context.Response.WriteAsync("404 page not found\n");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Semantic version order (major.minor.patch numerically, a pre-release below its release), as Helm sorts an index.</summary>
public sealed class SemVerComparer : IComparer<string>
{
    public static readonly SemVerComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        var (xCore, xPre) = Split(x);
        var (yCore, yPre) = Split(y);
        for (var i = 0; i < Math.Max(xCore.Length, yCore.Length); i++)
        {
            var a = i < xCore.Length ? xCore[i] : 0;
            var b = i < yCore.Length ? yCore[i] : 0;
            if (a != b) return a.CompareTo(b);
        }
        if (xPre is null) return yPre is null ? 0 : 1;
        if (yPre is null) return -1;
        return string.CompareOrdinal(xPre, yPre);
    }

    static (long[] Core, string? Pre) Split(string version)
    {
        var v = version.TrimStart('v');
        var plus = v.IndexOf('+');
        if (plus >= 0) v = v[..plus];
        var dash = v.IndexOf('-');
        var pre = dash >= 0 ? v[(dash + 1)..] : null;
        var core = (dash >= 0 ? v[..dash] : v).Split('.').Select(p => long.TryParse(p, out var n) ? n : 0).ToArray();
        return (core, pre);
    }
}
