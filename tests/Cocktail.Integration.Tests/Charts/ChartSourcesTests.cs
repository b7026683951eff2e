using System.Net;
using System.Net.Sockets;
using System.Text;
using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;
using Cocktail.Infrastructure.Charts;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.Charts;

/// <summary>Chart indexes and packages read over real HTTP, with what broken or hostile repositories serve.</summary>
public sealed class ChartSourcesTests : IAsyncLifetime
{
    private RawChartFiles _server = null!;
    private ServiceProvider _services = null!;

    private IChartIndexes Indexes => _services.GetRequiredService<IChartIndexes>();
    private IChartPackages Packages => _services.GetRequiredService<IChartPackages>();

    public async Task InitializeAsync()
    {
        _server = await RawChartFiles.StartAsync();
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddChartSources();
        _services = services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<Result<ChartPackage>> Package(string chart = "web", string version = "1.2.3") =>
        Packages.GetAsync(new ChartReference(_server.Url, ChartRepositoryKind.Http, chart, version), CancellationToken.None);

    [Fact]
    public async Task an_index_lists_its_versions_and_a_package_gives_its_values_schema_and_readme()
    {
        _server.ServeChart("web", "1.2.3", RawChartFiles.Chart("web", "1.2.3", "replicas: 2\n", """{"type":"object"}""", "# Web\nHello"));

        var index = await Indexes.GetAsync(_server.Url + "/", ChartRepositoryKind.Http, null, CancellationToken.None);
        Assert.True(index.Succeeded, index.Failure?.Message);
        var entry = Assert.Single(index.Value!.Entries);
        Assert.Equal(("web", "1.2.3", "2.0", "The web chart"), (entry.Chart, entry.Version, entry.AppVersion, entry.Description));
        Assert.Equal(["web", "demo"], entry.Keywords);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, 123, TimeSpan.Zero).AddTicks(4567), entry.Created);
        Assert.StartsWith("sha256:", index.Value.Digest);

        var package = await Package();
        Assert.True(package.Succeeded, package.Failure?.Message);
        Assert.Equal("replicas: 2\n", package.Value!.DefaultValuesYaml);
        Assert.Equal("""{"type":"object"}""", package.Value.ValuesSchemaJson);
        Assert.Equal("# Web\nHello", package.Value.Readme);
        Assert.Equal("2.0", package.Value.AppVersion);
    }

    [Fact]
    public async Task a_missing_index_is_not_found_and_a_refused_connection_is_unavailable()
    {
        var missing = await Indexes.GetAsync(_server.Url, ChartRepositoryKind.Http, null, CancellationToken.None);
        Assert.Equal(FailureKind.NotFound, missing.Failure!.Kind);
        Assert.Contains("404", missing.Failure.Message);

        var closed = FreePort();
        var refused = await Indexes.GetAsync($"http://127.0.0.1:{closed}", ChartRepositoryKind.Http, null, CancellationToken.None);
        Assert.Equal(FailureKind.Unavailable, refused.Failure!.Kind);
        Assert.StartsWith($"http://127.0.0.1:{closed}/index.yaml did not answer", refused.Failure.Message);
    }

    [Theory]
    [InlineData("<html><body>Not a repository</body></html>", "not a chart repository index")]
    [InlineData("entries: {}\n", "no API version specified")]
    [InlineData("apiVersion: v1\nentries: &a {web: *a}\n", "anchor")]
    [InlineData("apiVersion: v1\nentries:\n  web: [ {version: 1.0.0, urls: [x]\n", "not a chart repository index")]
    public async Task an_index_that_does_not_parse_is_invalid_with_the_reason(string body, string reason)
    {
        _server.Serve("/index.yaml", body);
        var index = await Indexes.GetAsync(_server.Url, ChartRepositoryKind.Http, null, CancellationToken.None);
        Assert.Equal(FailureKind.Invalid, index.Failure!.Kind);
        Assert.Contains(reason, index.Failure.Message);
    }

    [Fact]
    public async Task a_deep_index_and_an_oversized_index_are_refused_before_they_are_read()
    {
        _server.Serve("/index.yaml", "apiVersion: v1\nentries: " + new string('[', 10_000));
        var deep = await Indexes.GetAsync(_server.Url, ChartRepositoryKind.Http, null, CancellationToken.None);
        Assert.Contains("deeper than 32 levels", deep.Failure!.Message);

        _server.Serve("/index.yaml", new byte[ChartIndexReader.MaxBytes + 1]);
        var large = await Indexes.GetAsync(_server.Url, ChartRepositoryKind.Http, null, CancellationToken.None);
        Assert.Equal(FailureKind.Invalid, large.Failure!.Kind);
        Assert.Contains("larger than 16 MiB", large.Failure.Message);
    }

    [Fact]
    public async Task an_unknown_version_or_chart_is_not_found()
    {
        _server.ServeChart("web", "1.2.3", RawChartFiles.Chart("web", "1.2.3"));
        var version = await Package("web", "9.9.9");
        Assert.Equal(FailureKind.NotFound, version.Failure!.Kind);
        Assert.Contains("has no version 9.9.9", version.Failure.Message);
        var chart = await Package("db", "1.0.0");
        Assert.Equal(FailureKind.NotFound, chart.Failure!.Kind);
        Assert.Contains("has no chart db", chart.Failure.Message);
    }

    public static TheoryData<string, byte[]> HostileArchives => new()
    {
        { "references a parent directory", RawChartFiles.Tgz(("web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.2.3\n"), ("web/../../etc/cron.d/x", "boom")) },
        { "absolute path", RawChartFiles.Tgz(("web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.2.3\n"), ("/etc/passwd", "root")) },
        { "contains a link", RawChartFiles.Tgz(("web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.2.3\n"), ("web/values.yaml", null)) },
        { "Chart.yaml file is missing", RawChartFiles.Tgz(("web/values.yaml", "a: 1\n")) },
        { "has no version", RawChartFiles.Tgz(("web/Chart.yaml", "apiVersion: v2\nname: web\n")) },
        { "not a gzip-compressed tar archive", Encoding.UTF8.GetBytes("PK\u0003\u0004 a zip file") },
        { "more than 2000 files", RawChartFiles.Tgz([.. Enumerable.Range(0, 2001).Select(i => ($"web/templates/t{i}.yaml", (string?)"a: 1\n"))]) },
        { "expands to more than 32 MiB", RawChartFiles.Tgz(("web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.2.3\n"), ("web/big.txt", new string('a', 33 * 1024 * 1024))) },
        { "anchor", RawChartFiles.Tgz(("web/Chart.yaml", "apiVersion: v2\nname: &n web\nversion: 1.2.3\ndescription: *n\n")) },
    };

    [Theory]
    [MemberData(nameof(HostileArchives))]
    public async Task a_package_that_is_not_a_chart_or_escapes_its_folder_is_invalid(string reason, byte[] package)
    {
        _server.ServeChart("web", "1.2.3", package);
        var read = await Package();
        Assert.Equal(FailureKind.Invalid, read.Failure!.Kind);
        Assert.Contains(reason, read.Failure.Message);
    }

    [Fact]
    public async Task a_package_over_8_MiB_compressed_or_not_matching_its_digest_is_invalid()
    {
        var random = new byte[ChartArchive.MaxCompressedBytes + 1];
        new Random(7).NextBytes(random);
        _server.ServeChart("web", "1.2.3", random);
        var large = await Package();
        Assert.Contains("larger than 8 MiB", large.Failure!.Message);

        _server.ServeChart("web", "1.2.4", RawChartFiles.Chart("web", "1.2.4"), digest: new string('0', 64));
        var tampered = await Package("web", "1.2.4");
        Assert.Contains("does not match the digest", tampered.Failure!.Message);
    }

    [Fact]
    public async Task a_repository_answering_500_for_the_package_is_unavailable()
    {
        _server.ServeChart("web", "1.2.3", RawChartFiles.Chart("web", "1.2.3"));
        _server.Serve("/charts/web-1.2.3.tgz", "oops", 500);
        var read = await Package();
        Assert.Equal(FailureKind.Unavailable, read.Failure!.Kind);
        Assert.Contains("answered 500", read.Failure.Message);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
