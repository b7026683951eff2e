using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Cocktail.Application.Charts;
using Cocktail.Application.Common;
using Cocktail.Domain.Charts;

namespace Cocktail.Infrastructure.Charts;

/// <summary>
/// Reads indexes and packages from HTTP(S) chart repositories (<c>index.yaml</c> and the <c>.tgz</c> its
/// <c>urls</c> name, resolved against the repository URL as Helm's <c>repo.ResolveReferenceURL</c> does) and from OCI
/// registries through the Distribution API (<c>/v2/&lt;name&gt;/tags/list</c>, the manifest, the chart layer blob), as
/// Helm's registry client stores charts: config <c>application/vnd.cncf.helm.config.v1+json</c> (Chart.yaml as JSON),
/// one layer <c>application/vnd.cncf.helm.chart.content.v1.tar+gzip</c>, the tag is the version with <c>+</c> written
/// <c>_</c>. Registries on loopback addresses are spoken to over plain HTTP, as Docker treats 127.0.0.0/8 registries as
/// insecure by default; every other registry over HTTPS.
/// </summary>
public sealed class ChartSources(ChartDownloads downloads, TimeProvider clock) : IChartIndexes, IChartPackages
{
    public const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string HelmConfigType = "application/vnd.cncf.helm.config.v1+json";
    public const string HelmLayerType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    private const int MaxManifestBytes = 1024 * 1024;
    private const int MaxTagListBytes = 4 * 1024 * 1024;
    private const int MaxConfigBytes = 1024 * 1024;
    /// <summary>For OCI, each version's metadata is one manifest and one config read: only the newest are read.</summary>
    public const int MaxOciVersionsPerChart = 50;
    private const int MaxCachedPackages = 256;
    private static readonly TimeSpan IndexReuse = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, ChartPackage> _packages = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyList<IndexedVersion> Versions)> _indexes = new(StringComparer.Ordinal);

    // --- indexes -------------------------------------------------------------------------------------------------

    public async Task<Result<ChartIndex>> GetAsync(string repositoryUrl, ChartRepositoryKind kind, IReadOnlyList<string>? charts, CancellationToken ct)
    {
        if (kind == ChartRepositoryKind.Http)
        {
            var read = await ReadHttpIndexAsync(repositoryUrl, ct);
            if (!read.Succeeded) return Result<ChartIndex>.Fail(read.Failure!);
            var (versions, digest) = read.Value;
            return new ChartIndex(repositoryUrl, kind, [.. versions.Select(v => v.Entry)], digest);
        }

        if (!OciLocation.TryParse(repositoryUrl, out var location)) return Failure.Invalid($"{repositoryUrl} is not an oci://host/path URL.", "url");
        var entries = new List<ChartIndexEntry>();
        foreach (var chart in charts ?? [])
        {
            var tags = await OciTagsAsync(location, chart, ct);
            if (!tags.Succeeded) return Result<ChartIndex>.Fail(tags.Failure!);
            foreach (var tag in tags.Value!.OrderByDescending(ChartVersions.SortKey, StringComparer.Ordinal).Take(MaxOciVersionsPerChart))
            {
                var version = tag.Replace('_', '+');
                var manifest = await OciManifestAsync(location, chart, tag, ct);
                if (!manifest.Succeeded)
                {
                    if (manifest.Failure!.Kind == FailureKind.NotFound) continue; // deleted between the list and the read
                    return Result<ChartIndex>.Fail(manifest.Failure);
                }
                var m = manifest.Value!;
                if (m.ConfigType != HelmConfigType || m.ConfigDigest is null) continue; // not a chart (an image in the same repository)
                var config = await downloads.GetAsync(location.Blob(chart, m.ConfigDigest), MaxConfigBytes, "chart config", ct);
                if (!config.Succeeded) return Result<ChartIndex>.Fail(config.Failure!);
                entries.Add(FromConfig(chart, version, config.Value!.Body, m));
            }
        }
        var indexDigest = ChartIndexReader.Digest(Encoding.UTF8.GetBytes(string.Join('\n', entries.Select(e => $"{e.Chart}:{e.Version}@{e.Digest}"))));
        return new ChartIndex(repositoryUrl, kind, entries, indexDigest);
    }

    private async Task<Result<(IReadOnlyList<IndexedVersion> Versions, string Digest)>> ReadHttpIndexAsync(string repositoryUrl, CancellationToken ct)
    {
        if (!Uri.TryCreate(repositoryUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
            return Failure.Invalid($"{repositoryUrl} is not an http(s):// URL.", "url");
        var indexUri = new Uri(WithSlash(baseUri), "index.yaml");
        var download = await downloads.GetAsync(indexUri, ChartIndexReader.MaxBytes, "index", ct, "application/x-yaml", "text/yaml", "*/*");
        if (!download.Succeeded) return Result<(IReadOnlyList<IndexedVersion>, string)>.Fail(download.Failure!);
        var parsed = ChartIndexReader.Read(download.Value!.Body, ChartDownloads.Describe(indexUri));
        if (!parsed.Succeeded) return Result<(IReadOnlyList<IndexedVersion>, string)>.Fail(parsed.Failure!);
        if (_indexes.Count >= 64) _indexes.Clear();
        _indexes[repositoryUrl] = (clock.GetUtcNow(), parsed.Value!);
        return (parsed.Value!, ChartIndexReader.Digest(download.Value.Body));
    }

    private static Uri WithSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new UriBuilder(uri) { Path = uri.AbsolutePath + "/" }.Uri;

    private static ChartIndexEntry FromConfig(string chart, string version, byte[] config, OciManifest manifest)
    {
        string? Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(p.GetString()) ? p.GetString() : null;
        try
        {
            using var json = JsonDocument.Parse(config, new JsonDocumentOptions { MaxDepth = 32 });
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException("not an object");
            var keywords = root.TryGetProperty("keywords", out var k) && k.ValueKind == JsonValueKind.Array
                ? k.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList() : [];
            var deprecated = root.TryGetProperty("deprecated", out var d) && d.ValueKind == JsonValueKind.True;
            return new ChartIndexEntry(chart, version, Text(root, "appVersion"), Text(root, "description"), Text(root, "kubeVersion"),
                Text(root, "icon"), keywords, manifest.Digest, manifest.Created, deprecated);
        }
        catch (JsonException)
        {
            return new ChartIndexEntry(chart, version, null, null, null, null, [], manifest.Digest, manifest.Created, false);
        }
    }

    // --- packages ------------------------------------------------------------------------------------------------

    public async Task<Result<ChartPackage>> GetAsync(ChartReference reference, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var key = $"{reference.Kind}|{reference.RepositoryUrl}|{reference.Chart}|{reference.Version}";
        if (_packages.TryGetValue(key, out var cached)) return cached;
        var read = reference.Kind == ChartRepositoryKind.Http ? await HttpPackageAsync(reference, ct) : await OciPackageAsync(reference, ct);
        if (read.Succeeded)
        {
            if (_packages.Count >= MaxCachedPackages) _packages.Clear();
            _packages[key] = read.Value!;
        }
        return read;
    }

    private async Task<Result<ChartPackage>> HttpPackageAsync(ChartReference reference, CancellationToken ct)
    {
        IReadOnlyList<IndexedVersion> versions;
        if (_indexes.TryGetValue(reference.RepositoryUrl, out var recent) && clock.GetUtcNow() - recent.At < IndexReuse
            && recent.Versions.Any(v => v.Entry.Chart == reference.Chart && v.Entry.Version == reference.Version))
            versions = recent.Versions;
        else
        {
            var index = await ReadHttpIndexAsync(reference.RepositoryUrl, ct);
            if (!index.Succeeded) return Result<ChartPackage>.Fail(index.Failure!);
            versions = index.Value.Versions;
        }
        var found = versions.FirstOrDefault(v => v.Entry.Chart == reference.Chart && v.Entry.Version == reference.Version);
        if (found is null)
            return versions.Any(v => v.Entry.Chart == reference.Chart)
                ? Failure.NotFound($"The chart {reference.Chart} has no version {reference.Version} in {reference.RepositoryUrl}.")
                : Failure.NotFound($"The repository {reference.RepositoryUrl} has no chart {reference.Chart}.");
        if (found.Urls.Count == 0) return Failure.Invalid($"The index of {reference.RepositoryUrl} lists {reference.Chart} {reference.Version} without a URL.");
        var baseUri = WithSlash(new Uri(reference.RepositoryUrl));
        if (!Uri.TryCreate(baseUri, found.Urls[0], out var packageUri) || packageUri.Scheme is not ("http" or "https"))
            return Failure.Invalid($"The index of {reference.RepositoryUrl} lists {reference.Chart} {reference.Version} at a URL that is not http(s).");
        var download = await downloads.GetAsync(packageUri, ChartArchive.MaxCompressedBytes, "chart package", ct, "application/gzip", "*/*");
        if (!download.Succeeded) return Result<ChartPackage>.Fail(download.Failure!);
        var digest = ChartIndexReader.Digest(download.Value!.Body);
        if (found.Entry.Digest is { } expected && !digest.EndsWith(expected.Replace("sha256:", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
            return Failure.Invalid($"The package of {reference.Chart} {reference.Version} does not match the digest the index lists ({expected}).");
        return Checked(ChartArchive.Read(download.Value.Body, digest, ChartDownloads.Describe(packageUri)), reference);
    }

    private async Task<Result<ChartPackage>> OciPackageAsync(ChartReference reference, CancellationToken ct)
    {
        if (!OciLocation.TryParse(reference.RepositoryUrl, out var location)) return Failure.Invalid($"{reference.RepositoryUrl} is not an oci://host/path URL.");
        var tag = reference.Version.Replace('+', '_');
        var manifest = await OciManifestAsync(location, reference.Chart, tag, ct);
        if (!manifest.Succeeded)
            return manifest.Failure!.Kind == FailureKind.NotFound
                ? Failure.NotFound($"{reference.RepositoryUrl}/{reference.Chart} has no version {reference.Version}.")
                : Result<ChartPackage>.Fail(manifest.Failure);
        var m = manifest.Value!;
        if (m.ConfigType != HelmConfigType || m.LayerDigest is null)
            return Failure.Invalid($"{reference.RepositoryUrl}/{reference.Chart}:{tag} is not a Helm chart (its config is {m.ConfigType ?? "missing"}).");
        var blob = await downloads.GetAsync(location.Blob(reference.Chart, m.LayerDigest), ChartArchive.MaxCompressedBytes, "chart package", ct);
        if (!blob.Succeeded) return Result<ChartPackage>.Fail(blob.Failure!);
        var digest = ChartIndexReader.Digest(blob.Value!.Body);
        if (!string.Equals(digest, m.LayerDigest, StringComparison.OrdinalIgnoreCase))
            return Failure.Invalid($"The registry served a chart layer that does not match its digest {m.LayerDigest}.");
        return Checked(ChartArchive.Read(blob.Value.Body, digest, $"{reference.RepositoryUrl}/{reference.Chart}:{tag}"), reference);
    }

    private static Result<ChartPackage> Checked(Result<ChartPackage> read, ChartReference reference)
    {
        if (!read.Succeeded) return read;
        if (read.Value!.Name != reference.Chart || read.Value.Version != reference.Version)
            return Failure.Invalid($"The package for {reference.Chart} {reference.Version} holds {read.Value.Name} {read.Value.Version}.");
        return read;
    }

    // --- OCI -----------------------------------------------------------------------------------------------------

    private sealed record OciManifest(string? Digest, string? ConfigType, string? ConfigDigest, string? LayerDigest, DateTimeOffset? Created);

    private async Task<Result<IReadOnlyList<string>>> OciTagsAsync(OciLocation location, string chart, CancellationToken ct)
    {
        var download = await downloads.GetAsync(location.Tags(chart), MaxTagListBytes, "tag list", ct, "application/json");
        if (!download.Succeeded)
            return download.Failure!.Kind == FailureKind.NotFound
                ? Failure.NotFound($"{location.Url}/{chart} is not in the registry (404 Not Found).")
                : Result<IReadOnlyList<string>>.Fail(download.Failure);
        try
        {
            using var json = JsonDocument.Parse(download.Value!.Body, new JsonDocumentOptions { MaxDepth = 8 });
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("tags", out var tags))
                return Failure.Invalid($"The registry's tag list for {location.Url}/{chart} has no tags.");
            if (tags.ValueKind == JsonValueKind.Null) return Array.Empty<string>();
            return tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)
                .Where(t => ChartVersions.TryParse(t.Replace('_', '+'), out _)).ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Failure.Invalid($"The registry's tag list for {location.Url}/{chart} is not JSON.");
        }
    }

    private async Task<Result<OciManifest>> OciManifestAsync(OciLocation location, string chart, string tag, CancellationToken ct)
    {
        var download = await downloads.GetAsync(location.Manifest(chart, tag), MaxManifestBytes, "manifest", ct, OciManifestType);
        if (!download.Succeeded) return Result<OciManifest>.Fail(download.Failure!);
        try
        {
            using var json = JsonDocument.Parse(download.Value!.Body, new JsonDocumentOptions { MaxDepth = 16 });
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new JsonException();
            string? configType = null, configDigest = null, layer = null;
            if (root.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object)
            {
                configType = config.TryGetProperty("mediaType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                configDigest = config.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            }
            if (root.TryGetProperty("layers", out var layers) && layers.ValueKind == JsonValueKind.Array)
                foreach (var l in layers.EnumerateArray())
                    if (l.ValueKind == JsonValueKind.Object && l.TryGetProperty("mediaType", out var lt) && lt.ValueKind == JsonValueKind.String
                        && lt.GetString() == HelmLayerType && l.TryGetProperty("digest", out var ld) && ld.ValueKind == JsonValueKind.String)
                        layer = ld.GetString();
            DateTimeOffset? created = null;
            if (root.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
                && annotations.TryGetProperty("org.opencontainers.image.created", out var c) && c.ValueKind == JsonValueKind.String)
                created = ChartIndexReader.Created(c.GetString());
            var digest = download.Value.ContentDigest ?? ChartIndexReader.Digest(download.Value.Body);
            if (configDigest is not null && !IsDigest(configDigest)) configDigest = null;
            if (layer is not null && !IsDigest(layer)) layer = null;
            return new OciManifest(digest, configType, configDigest, layer, created);
        }
        catch (JsonException)
        {
            return Failure.Invalid($"The registry's manifest for {location.Url}/{chart}:{tag} is not JSON.");
        }
    }

    private static bool IsDigest(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length == 71 && digest[7..].All(char.IsAsciiHexDigit);

    /// <summary><c>oci://host[:port]/path</c>: the registry and the path under which each chart is a repository.</summary>
    internal sealed record OciLocation(string Url, Uri Registry, string Path)
    {
        public static bool TryParse(string url, out OciLocation location)
        {
            location = null!;
            if (!url.StartsWith("oci://", StringComparison.Ordinal)) return false;
            if (!Uri.TryCreate("https://" + url["oci://".Length..], UriKind.Absolute, out var https) || https.UserInfo.Length > 0
                || https.Query.Length > 0 || https.Fragment.Length > 0) return false;
            var loopback = https.IsLoopback || (IPAddress.TryParse(https.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
            var registry = new UriBuilder(https) { Scheme = loopback ? "http" : "https", Path = "/", Port = https.IsDefaultPort ? -1 : https.Port }.Uri;
            location = new OciLocation(url.TrimEnd('/'), registry, https.AbsolutePath.Trim('/'));
            return true;
        }

        private string Name(string chart) => Path.Length == 0 ? chart : $"{Path}/{chart}";
        public Uri Tags(string chart) => new(Registry, $"v2/{Name(chart)}/tags/list?n=1000");
        public Uri Manifest(string chart, string reference) => new(Registry, $"v2/{Name(chart)}/manifests/{Uri.EscapeDataString(reference)}");
        public Uri Blob(string chart, string digest) => new(Registry, $"v2/{Name(chart)}/blobs/{digest}");
    }
}
