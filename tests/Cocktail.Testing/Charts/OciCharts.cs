using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Cocktail.Testing.Charts;

/// <summary>A chart pushed to an OCI registry: <c>oci://host/repository/name</c> at tag <see cref="Tag"/>, manifest <see cref="Digest"/>.</summary>
public sealed record OciChartPushed(string Registry, string Repository, string Tag, string Digest)
{
    /// <summary><c>oci://host:port/repository</c>: what a HelmRepository of <c>type: oci</c> names (<c>helm push ... oci://host/repository</c>).</summary>
    public string RepositoryUrl => Repository.LastIndexOf('/') is var slash and > 0 ? $"oci://{Registry}/{Repository[..slash]}" : $"oci://{Registry}";

    /// <summary><c>oci://host:port/repository/chart</c>: what an OCIRepository's <c>spec.url</c> names.</summary>
    public string ChartUrl => $"oci://{Registry}/{Repository}";
}

/// <summary>
/// Pushes a <see cref="TestChart"/> to an OCI registry through the Distribution API the way <c>helm push</c> does:
/// config blob <c>application/vnd.cncf.helm.config.v1+json</c> (Chart.yaml metadata as JSON), one layer
/// <c>application/vnd.cncf.helm.chart.content.v1.tar+gzip</c> (the .tgz), an OCI image manifest with the
/// <c>org.opencontainers.image.*</c> annotations, tagged with the chart version (<c>+</c> written as <c>_</c>, as Helm does).
/// <code>
/// await using var registry = await RegistryServer.StartAsync(new RegistrySettings());
/// var pushed = await OciCharts.PushAsync(registry.Authority, "charts", chart); // 127.0.0.1:PORT/charts/podinfo:1.0.0
/// </code>
/// </summary>
public static class OciCharts
{
    public const string ConfigMediaType = "application/vnd.cncf.helm.config.v1+json";
    public const string ChartLayerMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";

    static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    /// <param name="registry"><c>host:port</c>, <c>http://host:port</c> or <c>oci://host:port</c> (plain HTTP is used).</param>
    /// <param name="repository">The repository path the chart goes under (<c>charts</c> → <c>charts/&lt;chart name&gt;</c>), as <c>helm push chart.tgz oci://host/charts</c>.</param>
    public static async Task<OciChartPushed> PushAsync(string registry, string repository, TestChart chart, CancellationToken ct = default)
    {
        var authority = registry.Contains("://", StringComparison.Ordinal) ? new Uri(registry).Authority : registry.TrimEnd('/');
        var name = repository.Trim('/').Length == 0 ? chart.Name : $"{repository.Trim('/')}/{chart.Name}";
        var tag = chart.Version.Replace('+', '_');
        var baseUri = new Uri($"http://{authority}");

        var config = Encoding.UTF8.GetBytes(ConfigJson(chart).ToJsonString());
        var layer = chart.Package();
        await PushBlobAsync(baseUri, name, config, ct);
        await PushBlobAsync(baseUri, name, layer, ct);

        var annotations = new JsonObject
        {
            ["org.opencontainers.image.created"] = chart.Created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["org.opencontainers.image.title"] = chart.Name,
            ["org.opencontainers.image.version"] = chart.Version,
        };
        if (chart.Description is not null) annotations["org.opencontainers.image.description"] = chart.Description;
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = ManifestMediaType,
            ["config"] = Descriptor(ConfigMediaType, config),
            ["layers"] = new JsonArray(Descriptor(ChartLayerMediaType, layer)),
            ["annotations"] = annotations,
        }.ToJsonString());

        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(baseUri, $"/v2/{name}/manifests/{tag}"))
        {
            Content = new ByteArrayContent(manifest),
        };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue(ManifestMediaType);
        using var response = await Http.SendAsync(put, ct);
        await EnsureAsync(response, "PUT manifest", ct);
        return new OciChartPushed(authority, name, tag, Digest(manifest));
    }

    /// <summary>The Chart.yaml metadata as the config blob's JSON (Helm marshals <c>chart.Metadata</c>).</summary>
    static JsonObject ConfigJson(TestChart chart)
    {
        var json = new JsonObject { ["name"] = chart.Name, ["version"] = chart.Version };
        if (chart.Description is not null) json["description"] = chart.Description;
        if (chart.KubeVersion is not null) json["kubeVersion"] = chart.KubeVersion;
        if (chart.Keywords.Count > 0) json["keywords"] = new JsonArray(chart.Keywords.Select(k => (JsonNode?)k).ToArray());
        if (chart.Icon is not null) json["icon"] = chart.Icon;
        json["apiVersion"] = "v2";
        if (chart.AppVersion is not null) json["appVersion"] = chart.AppVersion;
        if (chart.Deprecated) json["deprecated"] = true;
        json["type"] = chart.Type;
        return json;
    }

    static JsonObject Descriptor(string mediaType, byte[] content) =>
        new() { ["mediaType"] = mediaType, ["digest"] = Digest(content), ["size"] = content.Length };

    static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>POST an upload, then PUT the bytes monolithically with <c>?digest=</c> (Distribution's two-step upload).</summary>
    static async Task PushBlobAsync(Uri baseUri, string name, byte[] content, CancellationToken ct)
    {
        var digest = Digest(content);
        using (var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(baseUri, $"/v2/{name}/blobs/{digest}")), ct))
            if (head.StatusCode == HttpStatusCode.OK) return;
        using var start = await Http.PostAsync(new Uri(baseUri, $"/v2/{name}/blobs/uploads/"), null, ct);
        await EnsureAsync(start, "POST blob upload", ct);
        var location = new Uri(baseUri, start.Headers.Location ?? throw new InvalidOperationException("The registry gave no upload location."));
        var separator = location.Query.Length > 0 ? "&" : "?";
        using var put = new HttpRequestMessage(HttpMethod.Put, new Uri(location + $"{separator}digest={Uri.EscapeDataString(digest)}"))
        {
            Content = new ByteArrayContent(content),
        };
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await Http.SendAsync(put, ct);
        await EnsureAsync(done, "PUT blob", ct);
    }

    static async Task EnsureAsync(HttpResponseMessage response, string step, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new HttpRequestException($"{step}: {(int)response.StatusCode} {body}", null, response.StatusCode);
    }
}
