using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// A Trivy container as the kubelet would run it: an image whose repository's last component is <c>trivy</c>
/// (<c>aquasec/trivy</c>, <c>ghcr.io/aquasecurity/trivy</c> or a mirror) running <c>image [flags] REFERENCE</c>, with the
/// docker config at <c>$DOCKER_CONFIG/config.json</c> (default <c>/root/.docker</c>). Flags read: <c>--format/-f</c>,
/// <c>--quiet/-q</c>, <c>--insecure</c>, <c>--db-repository</c>; others with a value are skipped with their value.
/// </summary>
internal sealed record ScanInvocation(
    string Container, string Reference, string Format, bool Quiet, bool Insecure, string DbRepository, bool FallbackToLogsOnError, string? DockerConfigJson,
    string? MissingSecret)
{
    public const string DefaultDbRepository = "ghcr.io/aquasecurity/trivy-db";

    static readonly HashSet<string> ValueFlags =
    [
        "--format", "-f", "--db-repository", "--java-db-repository", "--cache-dir", "--timeout", "--scanners", "--severity", "-s", "--output", "-o",
        "--username", "--password", "--registry-token", "--platform", "--image-src", "--pkg-types", "--vuln-type", "--ignorefile", "--exit-code",
        "--template", "-t", "--skip-dirs", "--skip-files", "--config", "-c", "--cache-backend", "--server", "--token",
    ];

    public static bool IsScanner(string? image)
    {
        if (image is null) return false;
        var at = image.IndexOf('@');
        if (at >= 0) image = image[..at];
        var colon = image.LastIndexOf(':');
        if (colon > image.LastIndexOf('/')) image = image[..colon];
        return image.Split('/')[^1] == "trivy";
    }

    /// <summary>The scan a pod's Trivy container runs (<c>trivy image ...</c>; any other subcommand is not simulated: null).</summary>
    public static ScanInvocation? Of(JsonObject pod, Func<string, JsonObject?> secret)
    {
        var container = pod.At("spec", "containers").Objects().FirstOrDefault(c => IsScanner(c.Str("image")));
        if (container is null) return null;
        var args = (container["command"] as JsonArray ?? []).Concat(container["args"] as JsonArray ?? []).Select(a => a?.GetValue<string>() ?? "")
            .SkipWhile(a => a is "trivy" or "/usr/local/bin/trivy").ToList();
        if (args.Count == 0 || args[0] is not ("image" or "i")) return null;
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        var positional = new List<string>();
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-')) { positional.Add(arg); continue; }
            var eq = arg.IndexOf('=');
            if (eq > 0) flags[arg[..eq]] = arg[(eq + 1)..];
            else if (ValueFlags.Contains(arg) && i + 1 < args.Count) flags[arg] = args[++i];
            else flags[arg] = "true";
        }
        string Flag(string longName, string? shortName, string fallback) =>
            flags.GetValueOrDefault(longName) ?? (shortName is null ? null : flags.GetValueOrDefault(shortName)) ?? fallback;
        var configDir = container.At("env").Objects().FirstOrDefault(e => e.Str("name") == "DOCKER_CONFIG").Str("value") ?? "/root/.docker";
        var (config, missing) = BuildInvocation.DockerConfig(pod, container, configDir, secret);
        return new ScanInvocation(container.Str("name") ?? "", positional.LastOrDefault() ?? "", Flag("--format", "-f", "table"),
            Flag("--quiet", "-q", "false") == "true", Flag("--insecure", null, "false") == "true", Flag("--db-repository", null, DefaultDbRepository),
            container.Str("terminationMessagePolicy") == "FallbackToLogsOnError", config, missing);
    }

    /// <summary>"host[:port]", repository and tag or digest of <see cref="Reference"/> (Docker Hub when the first component is no host).</summary>
    public (string Host, string Repository, string TagOrDigest) Parts()
    {
        var reference = Reference;
        var slash = reference.IndexOf('/');
        var first = slash < 0 ? "" : reference[..slash];
        var host = first.Contains('.') || first.Contains(':') || first == "localhost" ? first : "registry-1.docker.io";
        var path = host == first ? reference[(slash + 1)..] : reference;
        var at = path.IndexOf('@');
        if (at >= 0) return (host, path[..at], path[(at + 1)..]);
        var colon = path.LastIndexOf(':');
        return colon > path.LastIndexOf('/') ? (host, path[..colon], path[(colon + 1)..]) : (host, path, "latest");
    }
}

/// <summary>
/// The scanner's run: it resolves the image in the real registry named in the reference (as Trivy's remote image
/// source does, with the docker config's credentials and the registry's token flow), then prints a Trivy JSON report
/// (SchemaVersion 2) whose findings follow the repository's name (see the README): <c>scan-fails</c> fails as a
/// vulnerability DB download error, <c>broken-report</c> prints a cut-off report, <c>critical</c> and <c>high</c>
/// select fixtures, anything else (<c>clean</c>) is an image without findings.
/// </summary>
internal static class ImageScanRun
{
    public const string FailsMarker = "scan-fails";
    public const string BrokenReportMarker = "broken-report";
    public const string CriticalMarker = "critical";
    public const string HighMarker = "high";

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<ImageBuildRun.Result> RunAsync(ScanInvocation scan, Logs.ContainerOutput output, TimeProvider time, TimeSpan runTime,
        CancellationToken ct)
    {
        var started = time.GetUtcNow();
        void Info(string line)
        {
            if (!scan.Quiet) output.Append(time.GetUtcNow(), $"{ObjectMetadata.Timestamp(time.GetUtcNow())}\tINFO\t{line}");
        }
        try
        {
            var (host, repository, reference) = scan.Parts();
            Info($"[vulndb] Need to update DB");
            Info($"[vulndb] Downloading vulnerability DB... repository=\"{scan.DbRepository}:2\"");
            await Task.Delay(runTime / 2, time, ct);
            if (repository.Contains(FailsMarker, StringComparison.Ordinal))
                return Fail(scan, output, time, "init error: DB error: failed to download vulnerability DB: database download error: OCI repository error: 1 error occurred:\n" +
                    $"\t* GET https://{scan.DbRepository.Split('/')[0]}/v2/{string.Join('/', scan.DbRepository.Split('/').Skip(1))}/manifests/2: TOOMANYREQUESTS: retry-after: 172.166µs, allowed: 44000/minute");
            if (scan.Format != "json")
                return Fail(scan, output, time, $"kubesim: only --format json is simulated (asked for {scan.Format})");
            Info("Vulnerability scanning is enabled");
            var digest = await ResolveAsync(scan, host, repository, reference, ct);
            if (digest.Error is { } error)
                return Fail(scan, output, time, $"run error: image scan error: scan error: unable to initialize a scan service: unable to initialize an image scan service: " +
                    $"unable to find the specified image \"{scan.Reference}\" in [\"docker\" \"containerd\" \"podman\" \"remote\"]: 1 error occurred:\n\t* remote error: {error}");
            Info("Detected OS family=\"alpine\" version=\"3.20.3\"");
            Info("[alpine] Detecting vulnerabilities... os_version=\"3.20\" repository=\"3.20\" pkg_num=14");
            await Task.Delay(runTime / 2, time, ct);
            var report = Report(scan, host, repository, digest.Digest!, started).ToJsonString(Indented);
            if (repository.Contains(BrokenReportMarker, StringComparison.Ordinal)) report = report[..(report.Length / 2)];
            output.Append(time.GetUtcNow(), report);
            output.End();
            return new ImageBuildRun.Result(scan.Container, 0, null);
        }
        catch (HttpRequestException e)
        {
            return Fail(scan, output, time, $"run error: image scan error: scan error: unable to initialize a scan service: remote error: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return Fail(scan, output, time, "run error: image scan error: context deadline exceeded");
        }
        catch (OperationCanceledException)
        {
            output.End();
            return new ImageBuildRun.Result(scan.Container, 137, null);
        }
    }

    /// <summary>The manifest's digest as the registry answers it (HEAD, with a pull token); the error text Trivy would quote otherwise.</summary>
    static async Task<(string? Digest, string? Error)> ResolveAsync(ScanInvocation scan, string host, string repository, string reference, CancellationToken ct)
    {
        var http = RegistryPush.Shared;
        var baseUri = new Uri($"{(scan.Insecure ? "http" : "https")}://{host}/");
        System.Net.Http.Headers.AuthenticationHeaderValue? auth;
        try { auth = await new RegistryPush(http).AuthorizeAsync(baseUri, host, repository, scan.DockerConfigJson, ct, "pull"); }
        catch (RegistryPush.PushFailed e) { return (null, $"GET {baseUri}v2/: {e.Message}"); }
        var url = new Uri(baseUri, $"v2/{repository}/manifests/{reference}");
        using var head = RegistryPush.Request(HttpMethod.Head, url, auth);
        head.Headers.UserAgent.Clear();
        head.Headers.UserAgent.ParseAdd("trivy/0.57.1");
        foreach (var type in new[] { "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                     "application/vnd.docker.distribution.manifest.list.v2+json", RegistryPush.ManifestType })
            head.Headers.Accept.ParseAdd(type);
        using var answer = await http.SendAsync(head, ct);
        if (answer.StatusCode == HttpStatusCode.NotFound) return (null, $"GET {url}: MANIFEST_UNKNOWN: manifest unknown; map[Tag:{reference}]");
        if (answer.StatusCode == HttpStatusCode.Unauthorized) return (null, $"GET {url}: UNAUTHORIZED: authentication required");
        if (answer.StatusCode == HttpStatusCode.Forbidden) return (null, $"GET {url}: DENIED: requested access to the resource is denied");
        if (!answer.IsSuccessStatusCode) return (null, $"GET {url}: unexpected status code {(int)answer.StatusCode} {answer.ReasonPhrase}");
        var digest = answer.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && digest is not null && digest != reference)
            return (null, $"GET {url}: manifest digest: \"{digest}\" does not match requested digest: \"{reference}\"");
        return (digest ?? reference, null);
    }

    static ImageBuildRun.Result Fail(ScanInvocation scan, Logs.ContainerOutput output, TimeProvider time, string error)
    {
        output.Append(time.GetUtcNow(), $"{ObjectMetadata.Timestamp(time.GetUtcNow())}\tFATAL\tFatal error\t{error}");
        output.End();
        // terminationMessagePolicy FallbackToLogsOnError: the log's tail is the message when the container failed.
        var message = scan.FallbackToLogsOnError ? string.Join("\n", output.Lines().TakeLast(80)) : null;
        if (message is { Length: > 2048 }) message = message[^2048..];
        return new ImageBuildRun.Result(scan.Container, 1, message);
    }

    /// <summary>Trivy's JSON report (pkg/types/report.go) for an Alpine image with the fixture the repository's name selects.</summary>
    public static JsonObject Report(ScanInvocation scan, string host, string repository, string digest, DateTimeOffset at)
    {
        var result = new JsonObject { ["Target"] = $"{scan.Reference} (alpine 3.20.3)", ["Class"] = "os-pkgs", ["Type"] = "alpine" };
        var findings = Fixture(repository);
        // Trivy omits an empty Vulnerabilities array (omitempty).
        if (findings.Count > 0) result["Vulnerabilities"] = new JsonArray(findings.Select(f => (JsonNode)f.ToJson()).ToArray());
        return new JsonObject
        {
            ["SchemaVersion"] = 2, ["CreatedAt"] = at.ToString("O"), ["ArtifactName"] = scan.Reference, ["ArtifactType"] = "container_image",
            ["Metadata"] = new JsonObject
            {
                ["OS"] = new JsonObject { ["Family"] = "alpine", ["Name"] = "3.20.3" },
                ["ImageID"] = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(digest))),
                ["DiffIDs"] = new JsonArray(),
                ["RepoTags"] = new JsonArray(),
                ["RepoDigests"] = new JsonArray($"{host}/{repository}@{digest}"),
            },
            ["Results"] = new JsonArray(result),
        };
    }

    public sealed record Finding(string Id, string Package, string Installed, string? Fixed, string Severity, string Title)
    {
        public JsonObject ToJson()
        {
            var json = new JsonObject
            {
                ["VulnerabilityID"] = Id, ["PkgID"] = $"{Package}@{Installed}", ["PkgName"] = Package, ["InstalledVersion"] = Installed,
            };
            if (Fixed is not null) json["FixedVersion"] = Fixed;
            json["Status"] = Fixed is null ? "affected" : "fixed";
            json["SeveritySource"] = "nvd";
            json["PrimaryURL"] = $"https://avd.aquasec.com/nvd/{Id.ToLowerInvariant()}";
            json["Title"] = Title;
            json["Severity"] = Severity;
            return json;
        }
    }

    /// <summary>Critical with and without a fix (and lesser ones beside them).</summary>
    public static readonly IReadOnlyList<Finding> CriticalFindings =
    [
        new("CVE-2024-45491", "libexpat", "2.6.2-r0", "2.6.3-r0", "CRITICAL", "libexpat: Integer Overflow or Wraparound"),
        new("CVE-2024-45492", "libexpat", "2.6.2-r0", "2.6.3-r0", "CRITICAL", "libexpat: integer overflow"),
        new("CVE-2023-45853", "zlib", "1.3.1-r1", null, "CRITICAL", "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6"),
        new("CVE-2024-6119", "libssl3", "3.3.1-r3", "3.3.2-r0", "HIGH", "openssl: Possible denial of service in X.509 name checks"),
        new("CVE-2024-9143", "libcrypto3", "3.3.1-r3", "3.3.2-r1", "LOW", "openssl: Low-level invalid GF(2^m) parameters lead to OOB memory access"),
    ];

    /// <summary>High findings only, one of them without a fix.</summary>
    public static readonly IReadOnlyList<Finding> HighFindings =
    [
        new("CVE-2024-6119", "libcrypto3", "3.3.1-r3", "3.3.2-r0", "HIGH", "openssl: Possible denial of service in X.509 name checks"),
        new("CVE-2024-6119", "libssl3", "3.3.1-r3", "3.3.2-r0", "HIGH", "openssl: Possible denial of service in X.509 name checks"),
        new("CVE-2024-58251", "busybox", "1.36.1-r29", null, "HIGH", "busybox: netstat escape sequences in output"),
    ];

    public static IReadOnlyList<Finding> Fixture(string repository) =>
        repository.Contains(CriticalMarker, StringComparison.Ordinal) ? CriticalFindings
        : repository.Contains(HighMarker, StringComparison.Ordinal) ? HighFindings
        : [];
}
