using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using Cocktail.KubeSim.Json;
using Cocktail.Testing.Charts;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// The chart sources the Flux tests serve (Cocktail.Testing/Charts): a Helm chart package laid out as
/// <c>helm package</c> writes it, an HTTP repository whose <c>index.yaml</c> follows <c>helm repo index</c>, and a chart
/// pushed to a real Distribution registry with Helm's OCI media types.
/// </summary>
public sealed class FluxChartSourcesContract
{
    static readonly HttpClient Http = new();

    static TestChart Podinfo(string version) => TestChart.WithConfigMap("podinfo", version) with
    {
        Values = "replicaCount: 1\n",
        Schema = """{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{"replicaCount":{"type":"integer"}}}""",
        Readme = "# podinfo\n",
    };

    [Fact]
    public void A_chart_package_is_a_deterministic_tgz_with_the_chart_folder()
    {
        var chart = Podinfo("1.0.0");
        Assert.Equal(chart.Package(), Podinfo("1.0.0").Package());
        var names = new List<string>();
        using var tar = new TarReader(new GZipStream(new MemoryStream(chart.Package()), CompressionMode.Decompress));
        string? chartYaml = null;
        while (tar.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
            if (entry.Name == "podinfo/Chart.yaml") chartYaml = new StreamReader(entry.DataStream!).ReadToEnd();
        }
        Assert.Equal(["podinfo/Chart.yaml", "podinfo/values.yaml", "podinfo/values.schema.json", "podinfo/README.md", "podinfo/templates/configmap.yaml"], names);
        var metadata = (JsonObject)YamlToJson.Parse(chartYaml!)!;
        Assert.Equal("v2", metadata.Str("apiVersion"));
        Assert.Equal("1.0.0", metadata.Str("version"));
    }

    [Fact]
    public async Task The_repository_serves_an_index_and_packages_that_change_at_run_time()
    {
        await using var repo = await ChartRepositoryServer.StartAsync(Podinfo("1.0.0"));
        repo.Add(Podinfo("1.1.0"));

        var index = (JsonObject)YamlToJson.Parse(await Http.GetStringAsync(repo.Url + "/index.yaml"))!;
        Assert.Equal("v1", index.Str("apiVersion"));
        var versions = index["entries"]!["podinfo"]!.AsArray();
        Assert.Equal(["1.1.0", "1.0.0"], versions.Select(v => v!["version"]!.GetValue<string>()));
        var newest = versions[0]!;
        var url = newest["urls"]![0]!.GetValue<string>();
        var package = await Http.GetByteArrayAsync(url);
        Assert.Equal(newest["digest"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(package)));
        Assert.Equal(1, repo.IndexRequests);
        Assert.Equal(1, repo.ChartRequests);

        repo.Remove("podinfo", "1.1.0");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(url)).StatusCode);
        repo.BrokenIndex = true;
        var broken = await Http.GetStringAsync(repo.Url + "/index.yaml");
        Assert.ThrowsAny<YamlDotNet.Core.YamlException>(() => YamlToJson.Parse(broken));
    }

    [SkippableFact]
    public async Task A_chart_pushed_to_a_registry_has_helm_media_types_and_the_version_tag()
    {
        Skip.IfNot(TestRegistry.Available, "the registry is not installed (/usr/bin/docker-registry)");
        await using var registry = await TestRegistry.StartAsync();
        var pushed = await OciCharts.PushAsync(registry.Authority, "charts", Podinfo("1.0.0"));
        Assert.Equal($"oci://{registry.Authority}/charts", pushed.RepositoryUrl);

        var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registry.Authority}/v2/charts/podinfo/manifests/1.0.0");
        request.Headers.Accept.ParseAdd(OciCharts.ManifestMediaType);
        var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        Assert.Equal(pushed.Digest, response.Headers.GetValues("Docker-Content-Digest").Single());
        var manifest = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(OciCharts.ConfigMediaType, manifest["config"]!["mediaType"]!.GetValue<string>());
        Assert.Equal(OciCharts.ChartLayerMediaType, manifest["layers"]![0]!["mediaType"]!.GetValue<string>());
        var layer = await Http.GetByteArrayAsync($"http://{registry.Authority}/v2/charts/podinfo/blobs/{manifest["layers"]![0]!["digest"]}");
        Assert.Equal(Podinfo("1.0.0").Package(), layer);
        var tags = JsonNode.Parse(await Http.GetStringAsync($"http://{registry.Authority}/v2/charts/podinfo/tags/list"))!;
        Assert.Equal("1.0.0", tags["tags"]![0]!.GetValue<string>());
    }
}
