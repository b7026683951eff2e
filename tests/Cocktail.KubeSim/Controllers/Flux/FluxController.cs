using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;
using static Cocktail.KubeSim.Controllers.ClusterApi.ClusterApiController;

namespace Cocktail.KubeSim.Controllers.Flux;

/// <summary>
/// Flux's source-controller (v1.x: HelmRepository, OCIRepository, HelmChart) and helm-controller (v1.x, HelmRelease v2)
/// simulated on the cluster's controller loop. One key per object ("Kind|namespace/name"). Network work (index, chart
/// and registry fetches) runs off the loop and requeues the key when done; the loop never blocks on I/O. Artifacts live
/// in memory, as source-controller's storage serves them to helm-controller over HTTP. Nothing happens until the CRDs
/// are installed (keys only come from objects of the Flux groups).
/// </summary>
internal sealed partial class FluxController(ClusterRuntime cluster) : Controller(cluster)
{
    internal const string SourceGroup = "source.toolkit.fluxcd.io";
    internal const string HelmGroup = "helm.toolkit.fluxcd.io";
    /// <summary>fluxcd/pkg/apis/meta: SourceFinalizer / HelmReleaseFinalizer are both "finalizers.fluxcd.io".</summary>
    internal const string Finalizer = "finalizers.fluxcd.io";
    /// <summary>Makes the next install/upgrade of a HelmRelease fail with the annotation's value as Helm's error (KubeSim only).</summary>
    internal const string FailureAnnotation = "kubesim.cocktail.io/helm-failure";
    /// <summary>source-controller's artifact server, as <c>flux install</c> exposes it (Service source-controller in flux-system).</summary>
    const string StorageHost = "http://source-controller.flux-system.svc.cluster.local.";
    const string SourceManager = "source-controller";
    const string HelmManager = "helm-controller";
    const long MaxIndexBytes = 16 * 1024 * 1024;
    const long MaxChartBytes = 8 * 1024 * 1024;

    static readonly HttpClient Http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), AllowAutoRedirect = true })
    {
        Timeout = TimeSpan.FromSeconds(15),
    };

    readonly EventRecorder _events = new(cluster);
    readonly Dictionary<string, DateTimeOffset> _due = [];
    /// <summary>Network work in flight or finished but not yet taken, by key.</summary>
    readonly ConcurrentDictionary<string, Task<Fetched>> _fetches = new();
    /// <summary>source-controller's artifact storage: artifact URL → bytes (index YAML, chart .tgz).</summary>
    readonly ConcurrentDictionary<string, byte[]> _artifacts = new();
    /// <summary>When each source object (by uid) is next fetched: spec.interval after the last fetch.</summary>
    readonly Dictionary<string, DateTimeOffset> _nextFetch = [];

    TimeSpan StepDelay => Cluster.Options.FluxStepDelay;
    string Now => ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());

    /// <summary>What a fetch brought back: bytes and the resolved version/digest, or the controller's failure reason and message.</summary>
    sealed record Fetched(byte[]? Body, string? Version = null, string? Digest = null, string? Reason = null, string? Error = null);

    static bool IsFlux(string storageKey) =>
        storageKey.StartsWith(SourceGroup + "/", StringComparison.Ordinal) || storageKey.StartsWith(HelmGroup + "/", StringComparison.Ordinal);

    public override void Start()
    {
        foreach (var storageKey in Cluster.Store.StorageKeys().Where(IsFlux))
            foreach (var o in Cluster.Store.List(storageKey, null).Items)
                foreach (var key in KeysForObject(storageKey, o.Parse())) Enqueue(key);
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        var storageKey = change.Object.StorageKey;
        return IsFlux(storageKey) ? KeysForObject(storageKey, change.Object.Parse()) : [];
    }

    IEnumerable<string> KeysForObject(string storageKey, JsonObject o)
    {
        var ns = o.Namespace();
        var key = $"{ns}/{o.Name()}";
        switch (storageKey)
        {
            case SourceGroup + "/helmrepositories":
                yield return "HelmRepository|" + key;
                foreach (var chart in Cluster.Store.List(SourceGroup + "/helmcharts", ns).Items)
                    if (chart.Parse() is var c && c.Str("spec", "sourceRef", "kind") == "HelmRepository" && c.Str("spec", "sourceRef", "name") == o.Name())
                        yield return $"HelmChart|{ns}/{chart.Name}";
                break;
            case SourceGroup + "/ocirepositories":
                yield return "OCIRepository|" + key;
                foreach (var release in Cluster.Store.List(HelmGroup + "/helmreleases", null).Items)
                    if (release.Parse() is var r && r.Str("spec", "chartRef", "kind") == "OCIRepository" && r.Str("spec", "chartRef", "name") == o.Name()
                        && (r.Str("spec", "chartRef", "namespace") ?? r.Namespace()) == ns)
                        yield return $"HelmRelease|{release.Namespace}/{release.Name}";
                break;
            case SourceGroup + "/helmcharts":
                yield return "HelmChart|" + key;
                // helm-controller watches HelmCharts it created (labels name/namespace of the HelmRelease).
                if (o.At("metadata", "labels", "helm.toolkit.fluxcd.io/name")?.ToString() is { } hrName &&
                    o.At("metadata", "labels", "helm.toolkit.fluxcd.io/namespace")?.ToString() is { } hrNamespace)
                    yield return $"HelmRelease|{hrNamespace}/{hrName}";
                break;
            case HelmGroup + "/helmreleases":
                yield return "HelmRelease|" + key;
                break;
        }
    }

    public override void Reconcile(string key)
    {
        var bar = key.IndexOf('|');
        var (ns, name) = Split(key[(bar + 1)..]);
        try
        {
            switch (key[..bar])
            {
                case "HelmRepository": ReconcileHelmRepository(key, ns, name); break;
                case "OCIRepository": ReconcileOciRepository(key, ns, name); break;
                case "HelmChart": ReconcileHelmChart(key, ns, name); break;
                case "HelmRelease": ReconcileHelmRelease(key, ns, name); break;
            }
        }
        catch (Http.ApiException e) when (e.Code is 409 or 429 or 500 or 503)
        {
            // controller-runtime requeues a failed key with backoff.
            Schedule(StepDelay, () => Enqueue(key));
            throw;
        }
    }

    // ---- source-controller ----

    ResourceType SourceType(string resource) => Cluster.Type(SourceGroup, resource);

    /// <summary>Starts <paramref name="work"/> off the loop (once per key) and returns its result once it has finished; the key is queued again when it does.</summary>
    Fetched? Fetch(string key, Func<Task<Fetched>> work)
    {
        if (_fetches.TryGetValue(key, out var running))
        {
            if (!running.IsCompleted) return null;
            _fetches.TryRemove(key, out _);
            return running.IsCompletedSuccessfully ? running.Result : new Fetched(null, Reason: "Failed", Error: running.Exception?.GetBaseException().Message);
        }
        var task = Task.Run(work);
        _fetches[key] = task;
        task.ContinueWith(_ => Enqueue(key), TaskScheduler.Default);
        return null;
    }

    /// <summary>True when the source must be fetched: a new generation, not Ready yet, or its interval has passed.</summary>
    bool FetchDue(string key, JsonObject source)
    {
        if (_fetches.ContainsKey(key)) return true;
        if (source.Long("status", "observedGeneration") != source.Long("metadata", "generation")) return true;
        if (!_nextFetch.TryGetValue(source.Uid(), out var next)) return true;
        var now = Cluster.Time.GetUtcNow();
        if (now >= next) return true;
        Schedule(next - now, () => Enqueue(key));
        return false;
    }

    void FetchedAt(string key, JsonObject source)
    {
        var interval = GoDuration.Parse(source.Str("spec", "interval")) ?? TimeSpan.FromMinutes(10);
        _nextFetch[source.Uid()] = Cluster.Time.GetUtcNow() + interval;
        Schedule(interval, () => Enqueue(key));
    }

    /// <summary>Finalizer handling shared by the sources: add it while the object lives, drop it (and the artifact) on deletion.</summary>
    JsonObject? Lifecycle(ResourceType type, JsonObject obj, string manager)
    {
        if (obj.IsDeleting())
        {
            _nextFetch.Remove(obj.Uid());
            if (obj.Finalizers().Contains(Finalizer)) WriteObject(type, obj, manager, o => o.SetFinalizers(o.Finalizers().Where(f => f != Finalizer)));
            return null;
        }
        return obj.Finalizers().Contains(Finalizer) ? obj : WriteObject(type, obj, manager, o => o.SetFinalizers([.. o.Finalizers(), Finalizer]));
    }

    void ReconcileHelmRepository(string key, string ns, string name)
    {
        var type = SourceType("helmrepositories");
        var repo = Cluster.Registry.TryGet(type, ns, name);
        if (repo is null) return;
        if (repo.Str("spec", "type") == "oci")
        {
            // helmrepository_controller.go Reconcile: "If it's of type OCI, migrate the object to static"
            // (migrationToStatic): no finalizer, no artifact, no conditions, only observedGeneration (which the flux CLI's
            // isStaticObjectReadyConditionFunc waits for); the HelmChart pulls from the registry itself.
            if (repo.Finalizers().Contains(Finalizer)) repo = WriteObject(type, repo, SourceManager, o => o.SetFinalizers(o.Finalizers().Where(f => f != Finalizer)));
            if (repo.IsDeleting()) return;
            WriteStatus(type, repo, SourceManager, o =>
            {
                var status = o.Obj("status");
                status.Remove("artifact"); status.Remove("conditions"); status.Remove("url");
                status["observedGeneration"] = o.Long("metadata", "generation");
            });
            return;
        }
        if (Lifecycle(type, repo, SourceManager) is not { } live) return;
        repo = live;
        if (repo.Bool("spec", "suspend") == true) return;
        if (!FetchDue(key, repo)) return;
        var url = (repo.Str("spec", "url") ?? "").TrimEnd('/');
        var fetched = Fetch(key, () => FetchIndexAsync(url));
        if (fetched is null) return;
        FetchedAt(key, repo);
        var now = Now;
        if (fetched.Error is not null)
        {
            // helmrepository_controller.go reconcileSource: FetchFailed=True and Ready=False with the same reason/message;
            // the last artifact (if any) stays.
            WriteStatus(type, repo, SourceManager, o =>
            {
                o.Obj("status")["observedGeneration"] = o.Long("metadata", "generation");
                SetCondition(o, "FetchFailed", "True", fetched.Reason!, fetched.Error, now);
                SetCondition(o, "Ready", "False", fetched.Reason!, fetched.Error, now);
            });
            _events.Warning(repo, "HelmRepository", fetched.Reason!, fetched.Error, SourceManager);
            return;
        }
        var hex = Convert.ToHexStringLower(SHA256.HashData(fetched.Body!));
        var path = $"helmrepository/{ns}/{name}/index-{hex}.yaml";
        _artifacts[$"{StorageHost}/{path}"] = fetched.Body!;
        var message = $"stored artifact: revision 'sha256:{hex}'";
        var changed = repo.Str("status", "artifact", "revision") != $"sha256:{hex}";
        WriteStatus(type, repo, SourceManager, o =>
        {
            var status = o.Obj("status");
            status["observedGeneration"] = o.Long("metadata", "generation");
            if (changed || status["artifact"] is null)
                status["artifact"] = new JsonObject
                {
                    ["digest"] = $"sha256:{hex}", ["lastUpdateTime"] = now, ["path"] = path, ["revision"] = $"sha256:{hex}",
                    ["size"] = fetched.Body!.Length, ["url"] = $"{StorageHost}/{path}",
                };
            status["url"] = $"{StorageHost}/helmrepository/{ns}/{name}/index.yaml";
            RemoveCondition(o, "FetchFailed");
            SetCondition(o, "ArtifactInStorage", "True", "Succeeded", message, now);
            SetCondition(o, "Ready", "True", "Succeeded", message, now);
        });
        if (changed) _events.Normal(repo, "HelmRepository", "NewArtifact", message, SourceManager);
    }

    /// <summary>Helm's getter + repo.LoadIndexFile, with source-controller's wrapping of each failure.</summary>
    static async Task<Fetched> FetchIndexAsync(string url)
    {
        var indexUrl = url + "/index.yaml";
        var (body, error) = await GetAsync(indexUrl, MaxIndexBytes);
        if (error is not null)
            return new Fetched(null, Reason: "Failed", Error: $"failed to fetch Helm repository index: failed to cache index to temporary file: {error}");
        try
        {
            var index = YamlToJson.Parse(Encoding.UTF8.GetString(body!)) as JsonObject;
            // helm repo.loadIndex: an index without apiVersion is refused.
            if (index?.Str("apiVersion") is null) throw new InvalidDataException("no API version specified");
        }
        catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidDataException or InvalidCastException)
        {
            var reason = e is InvalidDataException ? e.Message : $"error converting YAML to JSON: yaml: {e.Message}";
            return new Fetched(null, Reason: "IndexationFailed", Error: $"failed to load Helm repository from index YAML: {reason}");
        }
        return new Fetched(body);
    }

    /// <summary>A bounded GET; errors read as Go's HTTP getter words them (<c>failed to fetch URL : 404 Not Found</c>).</summary>
    static async Task<(byte[]? Body, string? Error)> GetAsync(string url, long max, string? accept = null)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (accept is not null) request.Headers.Accept.ParseAdd(accept);
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (!response.IsSuccessStatusCode) return (null, $"failed to fetch {url} : {(int)response.StatusCode} {response.ReasonPhrase}");
            if (response.Content.Headers.ContentLength > max) return (null, $"failed to fetch {url} : response exceeds {max} bytes");
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > max) return (null, $"failed to fetch {url} : response exceeds {max} bytes");
            }
            return (buffer.ToArray(), null);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            var uri = new Uri(url);
            return (null, $"Get \"{url}\": dial tcp {uri.Host}:{uri.Port}: connect: connection refused");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException)
        {
            return (null, $"Get \"{url}\": {e.Message}");
        }
    }

    void ReconcileHelmChart(string key, string ns, string name)
    {
        var type = SourceType("helmcharts");
        var chart = Cluster.Registry.TryGet(type, ns, name);
        if (chart is null || Lifecycle(type, chart, SourceManager) is not { } live) return;
        chart = live;
        if (chart.Bool("spec", "suspend") == true) return;
        var now = Now;
        var chartName = chart.Str("spec", "chart") ?? "";
        var constraint = chart.Str("spec", "version") ?? "*";
        var sourceKind = chart.Str("spec", "sourceRef", "kind");
        var sourceName = chart.Str("spec", "sourceRef", "name") ?? "";
        var repo = sourceKind == "HelmRepository" ? Cluster.Registry.TryGet(SourceType("helmrepositories"), ns, sourceName) : null;
        if (repo is null)
        {
            var missing = $"failed to get source: {sourceKind}.{SourceGroup} \"{sourceName}\" not found";
            WriteStatus(type, chart, SourceManager, o =>
            {
                o.Obj("status")["observedGeneration"] = o.Long("metadata", "generation");
                SetCondition(o, "FetchFailed", "True", "SourceUnavailable", missing, now);
                SetCondition(o, "Ready", "False", "SourceUnavailable", missing, now);
            });
            return;
        }
        var oci = repo.Str("spec", "type") == "oci";
        var sourceRevision = oci ? "" : repo.Str("status", "artifact", "revision");
        if (!oci && sourceRevision is null)
        {
            // helmchart_controller.go: a HelmRepository without artifact is not ready yet.
            var pending = $"no artifact available for HelmRepository source '{sourceName}'";
            WriteStatus(type, chart, SourceManager, o =>
            {
                o.Obj("status")["observedGeneration"] = o.Long("metadata", "generation");
                SetCondition(o, "FetchFailed", "True", "NoSourceArtifact", pending, now);
                SetCondition(o, "Ready", "False", "NoSourceArtifact", pending, now);
            });
            return;
        }
        if (!_fetches.ContainsKey(key) && chart.Str("status", "observedSourceArtifactRevision") == sourceRevision && !FetchDue(key, chart)) return;
        var repoUrl = (repo.Str("spec", "url") ?? "").TrimEnd('/');
        var index = oci ? null : repo.Str("status", "artifact", "url") is { } indexUrl && _artifacts.TryGetValue(indexUrl, out var cached) ? cached : null;
        var fetched = Fetch(key, () => oci ? PullOciChartAsync(repoUrl, chartName, constraint) : PullHttpChartAsync(repoUrl, index, chartName, constraint));
        if (fetched is null) return;
        FetchedAt(key, chart);
        if (fetched.Error is not null)
        {
            WriteStatus(type, chart, SourceManager, o =>
            {
                o.Obj("status")["observedGeneration"] = o.Long("metadata", "generation");
                o.Obj("status")["observedSourceArtifactRevision"] = sourceRevision;
                SetCondition(o, "FetchFailed", "True", fetched.Reason!, fetched.Error, now);
                SetCondition(o, "Ready", "False", fetched.Reason!, fetched.Error, now);
            });
            _events.Warning(chart, "HelmChart", fetched.Reason!, fetched.Error, SourceManager);
            return;
        }
        var version = fetched.Version!;
        var hex = Convert.ToHexStringLower(SHA256.HashData(fetched.Body!));
        var path = $"helmchart/{ns}/{name}/{chartName}-{version}.tgz";
        _artifacts[$"{StorageHost}/{path}"] = fetched.Body!;
        // helmchart_controller.go: Ready=True ChartPullSucceeded "pulled '<chart>' chart with version '<version>'".
        var message = $"pulled '{chartName}' chart with version '{version}'";
        var changed = chart.Str("status", "artifact", "digest") != $"sha256:{hex}";
        WriteStatus(type, chart, SourceManager, o =>
        {
            var status = o.Obj("status");
            status["observedGeneration"] = o.Long("metadata", "generation");
            status["observedChartName"] = chartName;
            status["observedSourceArtifactRevision"] = sourceRevision;
            if (changed || status["artifact"] is null)
                status["artifact"] = new JsonObject
                {
                    ["digest"] = $"sha256:{hex}", ["lastUpdateTime"] = now, ["path"] = path, ["revision"] = version,
                    ["size"] = fetched.Body!.Length, ["url"] = $"{StorageHost}/{path}",
                };
            status["url"] = $"{StorageHost}/helmchart/{ns}/{name}/latest.tar.gz";
            RemoveCondition(o, "FetchFailed");
            SetCondition(o, "ArtifactInStorage", "True", "ChartPullSucceeded", message, now);
            SetCondition(o, "Ready", "True", "ChartPullSucceeded", message, now);
        });
        if (changed) _events.Normal(chart, "HelmChart", "ChartPullSucceeded", message, SourceManager);
    }

    /// <summary>Reference errors as source-controller's chart builder reports them (internal/helm/chart/errors.go: ErrChartReference).</summary>
    static Fetched InvalidReference(string detail) =>
        new(null, Reason: "InvalidChartReference", Error: $"invalid chart reference: failed to get chart version for remote reference: {detail}");

    static async Task<Fetched> PullHttpChartAsync(string repoUrl, byte[]? cachedIndex, string chartName, string constraint)
    {
        var indexBytes = cachedIndex;
        if (indexBytes is null)
        {
            var (body, error) = await GetAsync(repoUrl + "/index.yaml", MaxIndexBytes);
            if (error is not null) return new Fetched(null, Reason: "ChartPullError", Error: $"chart pull error: failed to fetch Helm repository index: {error}");
            indexBytes = body!;
        }
        var index = YamlToJson.Parse(Encoding.UTF8.GetString(indexBytes)) as JsonObject;
        // helm repo.IndexFile.Get: "no chart name found" / "no chart version found for <name>-<version>";
        // source-controller wraps them as "no '<name>' chart with version matching '<constraint>' found".
        if (index?.At("entries", chartName) is not JsonArray entries) return InvalidReference("no chart name found");
        var versions = entries.Objects().Select(e => e.At("version")?.ToString() ?? "").ToList();
        var version = SemVer.Resolve(constraint, versions);
        if (version is null) return InvalidReference($"no '{chartName}' chart with version matching '{constraint}' found");
        var entry = entries.Objects().First(e => e.At("version")?.ToString() == version);
        var url = entry.At("urls")?.AsArray().FirstOrDefault()?.ToString() ?? "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out _)) url = new Uri(new Uri(repoUrl + "/"), url).ToString();
        var (package, pullError) = await GetAsync(url, MaxChartBytes);
        if (pullError is not null) return new Fetched(null, Reason: "ChartPullError", Error: $"chart pull error: failed to download chart for remote reference: {pullError}");
        return new Fetched(package, version);
    }

    /// <summary>A chart from an OCI registry (Helm's registry client): list tags, resolve the version, fetch manifest and chart layer.</summary>
    static async Task<Fetched> PullOciChartAsync(string repoUrl, string chartName, string constraint)
    {
        var (registry, repository) = OciParts($"{repoUrl}/{chartName}");
        var (tagsBody, tagsError) = await GetAsync($"http://{registry}/v2/{repository}/tags/list", MaxIndexBytes);
        if (tagsError is not null) return InvalidReference($"could not get tags for \"{chartName}\": {tagsError}");
        var tags = (JsonNode.Parse(tagsBody!)?["tags"] as JsonArray)?.Select(t => t?.ToString() ?? "").Select(t => t.Replace('_', '+')).ToList() ?? [];
        var version = SemVer.Resolve(constraint, tags);
        if (version is null) return InvalidReference($"no '{chartName}' chart with version matching '{constraint}' found");
        var pulled = await PullOciLayerAsync(registry, repository, version.Replace('+', '_'));
        return pulled.Error is null ? pulled with { Version = version } : pulled;
    }

    static (string Registry, string Repository) OciParts(string ociUrl)
    {
        var rest = ociUrl["oci://".Length..];
        var slash = rest.IndexOf('/');
        return (rest[..slash], rest[(slash + 1)..]);
    }

    /// <summary>Manifest by tag, then the Helm chart layer (application/vnd.cncf.helm.chart.content.v1.tar+gzip, else the first layer).</summary>
    static async Task<Fetched> PullOciLayerAsync(string registry, string repository, string tag)
    {
        const string manifestType = "application/vnd.oci.image.manifest.v1+json";
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{registry}/v2/{repository}/manifests/{tag}");
            request.Headers.Accept.ParseAdd(manifestType);
            using var response = await Http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
                return new Fetched(null, Reason: "OCIArtifactPullFailed", Error: $"failed to determine artifact digest: GET http://{registry}/v2/{repository}/manifests/{tag}: MANIFEST_UNKNOWN: manifest unknown; map[Tag:{tag}]");
            var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : "";
            var manifest = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            var layers = manifest["layers"]?.AsArray().Objects().ToList() ?? [];
            var layer = layers.FirstOrDefault(l => l.Str("mediaType") == "application/vnd.cncf.helm.chart.content.v1.tar+gzip") ?? layers.FirstOrDefault();
            if (layer is null) return new Fetched(null, Reason: "OCIArtifactPullFailed", Error: "failed to pull artifact: no layers in manifest");
            var (blob, error) = await GetAsync($"http://{registry}/v2/{repository}/blobs/{layer.Str("digest")}", MaxChartBytes);
            return error is null ? new Fetched(blob, tag, digest) : new Fetched(null, Reason: "OCIArtifactPullFailed", Error: $"failed to pull artifact: {error}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Fetched(null, Reason: "OCIArtifactPullFailed", Error: $"failed to determine artifact digest: {e.Message}");
        }
    }

    void ReconcileOciRepository(string key, string ns, string name)
    {
        var type = SourceType("ocirepositories");
        var repo = Cluster.Registry.TryGet(type, ns, name);
        if (repo is null || Lifecycle(type, repo, SourceManager) is not { } live) return;
        repo = live;
        if (repo.Bool("spec", "suspend") == true || !FetchDue(key, repo)) return;
        var url = repo.Str("spec", "url") ?? "";
        var tag = repo.Str("spec", "ref", "tag");
        var semver = repo.Str("spec", "ref", "semver");
        var fetched = Fetch(key, async () =>
        {
            var (registry, repository) = OciParts(url);
            var resolved = tag ?? "latest";
            if (semver is not null)
            {
                var (tagsBody, tagsError) = await GetAsync($"http://{registry}/v2/{repository}/tags/list", MaxIndexBytes);
                if (tagsError is not null) return new Fetched(null, Reason: "ReadOperationFailed", Error: $"failed to determine the next revision: {tagsError}");
                var tags = (JsonNode.Parse(tagsBody!)?["tags"] as JsonArray)?.Select(t => t?.ToString() ?? "").ToList() ?? [];
                if (SemVer.Resolve(semver, tags.Select(t => t.Replace('_', '+'))) is not { } match)
                    return new Fetched(null, Reason: "ReadOperationFailed", Error: $"failed to determine the next revision: no match found for semver: {semver}");
                resolved = match.Replace('+', '_');
            }
            return await PullOciLayerAsync(registry, repository, resolved);
        });
        if (fetched is null) return;
        FetchedAt(key, repo);
        var now = Now;
        if (fetched.Error is not null)
        {
            WriteStatus(type, repo, SourceManager, o =>
            {
                o.Obj("status")["observedGeneration"] = o.Long("metadata", "generation");
                SetCondition(o, "FetchFailed", "True", fetched.Reason!, fetched.Error, now);
                SetCondition(o, "Ready", "False", fetched.Reason!, fetched.Error, now);
            });
            _events.Warning(repo, "OCIRepository", fetched.Reason!, fetched.Error, SourceManager);
            return;
        }
        // ocirepository_controller.go: revision "<tag>@<manifest digest>", "stored artifact for digest '<revision>'".
        var revision = $"{fetched.Version}@{fetched.Digest}";
        var hex = Convert.ToHexStringLower(SHA256.HashData(fetched.Body!));
        var path = $"ocirepository/{ns}/{name}/{fetched.Digest!.Replace("sha256:", "")}.tar.gz";
        _artifacts[$"{StorageHost}/{path}"] = fetched.Body!;
        var message = $"stored artifact for digest '{revision}'";
        var changed = repo.Str("status", "artifact", "revision") != revision;
        WriteStatus(type, repo, SourceManager, o =>
        {
            var status = o.Obj("status");
            status["observedGeneration"] = o.Long("metadata", "generation");
            if (changed || status["artifact"] is null)
                status["artifact"] = new JsonObject
                {
                    ["digest"] = $"sha256:{hex}", ["lastUpdateTime"] = now, ["path"] = path, ["revision"] = revision,
                    ["size"] = fetched.Body!.Length, ["url"] = $"{StorageHost}/{path}",
                };
            status["url"] = $"{StorageHost}/ocirepository/{ns}/{name}/latest.tar.gz";
            RemoveCondition(o, "FetchFailed");
            SetCondition(o, "ArtifactInStorage", "True", "Succeeded", message, now);
            SetCondition(o, "Ready", "True", "Succeeded", message, now);
        });
        if (changed) _events.Normal(repo, "OCIRepository", "NewArtifact", message, SourceManager);
    }

    // ---- shared helpers ----

    /// <summary>True once <paramref name="step"/> of the object is due (<see cref="StepDelay"/> or <paramref name="delay"/> after it was first asked for).</summary>
    bool Due(string key, string uid, string step, TimeSpan? delay = null)
    {
        var id = $"{uid}|{step}";
        var now = Cluster.Time.GetUtcNow();
        if (!_due.TryGetValue(id, out var at))
        {
            var wait = delay ?? StepDelay;
            if (wait <= TimeSpan.Zero) return true;
            _due[id] = now + wait;
            Schedule(wait, () => Enqueue(key));
            return false;
        }
        if (now < at)
        {
            Schedule(at - now, () => Enqueue(key));
            return false;
        }
        _due.Remove(id);
        return true;
    }

    JsonObject WriteStatus(ResourceType type, JsonObject obj, string manager, Action<JsonObject> change)
    {
        var probe = obj.CloneObject();
        change(probe);
        if (JsonNode.DeepEquals(probe["status"], obj["status"])) return obj;
        return Workloads.WriteStatus(Cluster, type, obj, manager, change);
    }

    JsonObject WriteObject(ResourceType type, JsonObject obj, string manager, Action<JsonObject> change) =>
        Cluster.Registry.Mutate(type, obj.Namespace(), obj.Name(), WriteOptions.Internal(manager), "", current =>
        {
            change(current);
            current.Meta().Remove("resourceVersion");
            return current;
        });

    static void RemoveCondition(JsonObject obj, string type)
    {
        if (obj["status"]?["conditions"] is JsonArray conditions)
            foreach (var c in conditions.Objects().Where(c => c.Str("type") == type).ToList()) conditions.Remove(c);
    }
}

/// <summary>Go's time.ParseDuration for the forms Flux intervals take (<c>1h30m</c>, <c>5m0s</c>, <c>10s</c>, <c>500ms</c>).</summary>
internal static class GoDuration
{
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var total = TimeSpan.Zero;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"(\d+(?:\.\d+)?)(ms|h|m|s)"))
        {
            var n = double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch { "h" => TimeSpan.FromHours(n), "m" => TimeSpan.FromMinutes(n), "s" => TimeSpan.FromSeconds(n), _ => TimeSpan.FromMilliseconds(n) };
        }
        return total > TimeSpan.Zero ? total : null;
    }
}
