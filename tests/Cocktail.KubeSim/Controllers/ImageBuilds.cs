using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// A build container as the kubelet would run it: the Kaniko executor (<c>gcr.io/kaniko-project/executor</c>, flags
/// <c>--context</c>, <c>--dockerfile</c>, <c>--destination</c>, <c>--digest-file</c>, <c>--insecure</c>,
/// <c>--build-arg</c>; docker config at <c>/kaniko/.docker/config.json</c>) or BuildKit rootless
/// (<c>moby/buildkit:*-rootless</c> running <c>buildctl-daemonless.sh build ... --output type=image,name=DEST,push=true</c>;
/// docker config at <c>$DOCKER_CONFIG/config.json</c>, default <c>/home/user/.docker</c>).
/// </summary>
internal sealed record BuildInvocation(
    string Tool, string Container, string Destination, bool Insecure, string? DigestFile, string TerminationMessagePath,
    bool FallbackToLogsOnError, string Context, string Dockerfile, string? DockerConfigJson, string? MissingSecret)
{
    public const string KanikoImage = "gcr.io/kaniko-project/executor";
    public const string BuildKitImage = "moby/buildkit";

    public static bool IsBuilder(string? image) =>
        image is not null && (Repository(image) is KanikoImage or BuildKitImage or "docker.io/moby/buildkit");

    static string Repository(string image)
    {
        var at = image.IndexOf('@');
        if (at >= 0) image = image[..at];
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }

    /// <summary>The build a pod's single builder container runs, with the docker config read from its mounted Secret.</summary>
    public static BuildInvocation? Of(JsonObject pod, Func<string, JsonObject?> secret)
    {
        var container = pod.At("spec", "containers").Objects().FirstOrDefault(c => IsBuilder(c.Str("image")));
        if (container is null) return null;
        var args = (container["args"] as JsonArray ?? []).Select(a => a?.GetValue<string>() ?? "").ToList();
        var kaniko = Repository(container.Str("image")!) == KanikoImage;
        string Flag(string name) => args.Where(a => a.StartsWith($"--{name}=", StringComparison.Ordinal)).Select(a => a[(name.Length + 3)..]).LastOrDefault()
            ?? (args.IndexOf($"--{name}") is var i and >= 0 && i + 1 < args.Count ? args[i + 1] : "");
        string destination, context, dockerfile, configDir;
        bool insecure;
        string? digestFile;
        if (kaniko)
        {
            destination = Flag("destination");
            context = Flag("context");
            dockerfile = Flag("dockerfile") is { Length: > 0 } d ? d : "Dockerfile";
            insecure = args.Contains("--insecure") || args.Contains("--insecure=true") || Flag("insecure-registry").Length > 0;
            digestFile = Flag("digest-file") is { Length: > 0 } f ? f : null;
            configDir = "/kaniko/.docker";
        }
        else
        {
            var output = Flag("output").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            destination = output.GetValueOrDefault("name") ?? "";
            insecure = output.GetValueOrDefault("registry.insecure") == "true";
            context = args.Where(a => a.StartsWith("context=", StringComparison.Ordinal)).Select(a => a[8..]).FirstOrDefault() ?? Flag("local");
            dockerfile = "Dockerfile";
            digestFile = Flag("metadata-file") is { Length: > 0 } f ? f : null;
            configDir = container.At("env").Objects().FirstOrDefault(e => e.Str("name") == "DOCKER_CONFIG").Str("value") ?? "/home/user/.docker";
        }
        var (config, missing) = DockerConfig(pod, container, configDir, secret);
        return new BuildInvocation(kaniko ? "kaniko" : "buildkit", container.Str("name") ?? "", destination, insecure, digestFile,
            container.Str("terminationMessagePath") ?? "/dev/termination-log", container.Str("terminationMessagePolicy") == "FallbackToLogsOnError",
            context, dockerfile, config, missing);
    }

    /// <summary>config.json as the container sees it: the Secret volume mounted at the config directory (with its items' paths).</summary>
    internal static (string? Json, string? MissingSecret) DockerConfig(JsonObject pod, JsonObject container, string directory, Func<string, JsonObject?> secrets)
    {
        var mount = container.At("volumeMounts").Objects().FirstOrDefault(m => m.Str("mountPath")?.TrimEnd('/') == directory);
        if (mount is null) return (null, null);
        var volume = pod.At("spec", "volumes").Objects().FirstOrDefault(v => v.Str("name") == mount.Str("name"));
        if (volume?.Str("secret", "secretName") is not { } secretName) return (null, null);
        if (secrets(secretName) is not { } secret) return (null, secretName);
        var items = volume.At("secret", "items").Objects().ToList();
        var key = items.Count == 0 ? "config.json" : items.FirstOrDefault(i => i.Str("path") == "config.json").Str("key");
        if (key is null || secret.At("data", key)?.GetValue<string>() is not { } data) return (null, null);
        return (Encoding.UTF8.GetString(Convert.FromBase64String(data)), null);
    }

    /// <summary>"host[:port]", repository and tag of <see cref="Destination"/> (Docker Hub when the first component is no host).</summary>
    public (string Host, string Repository, string Tag) Reference()
    {
        var reference = Destination;
        var slash = reference.IndexOf('/');
        var first = slash < 0 ? "" : reference[..slash];
        var host = first.Contains('.') || first.Contains(':') || first == "localhost" ? first : "registry-1.docker.io";
        var path = host == first ? reference[(slash + 1)..] : reference;
        var colon = path.LastIndexOf(':');
        return colon > path.LastIndexOf('/') ? (host, path[..colon], path[(colon + 1)..]) : (host, path, "latest");
    }
}

/// <summary>
/// Pushes a small, valid image (a config blob, one gzipped layer, a Docker schema 2 manifest, as Kaniko writes them)
/// over the Distribution HTTP API, with the token flow a real client does: ping <c>/v2/</c>, on a Bearer challenge
/// ask the realm for a token for <c>repository:NAME:pull,push</c> with the docker config's Basic credentials.
/// </summary>
internal sealed class RegistryPush(HttpClient http)
{
    public const string ManifestType = "application/vnd.docker.distribution.manifest.v2+json";
    public const string ConfigType = "application/vnd.docker.container.image.v1+json";
    public const string LayerType = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    public static readonly HttpClient Shared = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    public sealed class PushFailed(string message) : Exception(message);

    /// <summary>Pushes and answers the manifest's digest (sha256:...).</summary>
    public async Task<string> PushAsync(BuildInvocation build, DateTimeOffset createdAt, CancellationToken ct)
    {
        var (host, repository, tag) = build.Reference();
        var baseUri = new Uri($"{(build.Insecure ? "http" : "https")}://{host}/");
        var auth = await AuthorizeAsync(baseUri, host, repository, build.DockerConfigJson, ct);
        var (layer, diffId) = Layer(build, createdAt);
        var config = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["architecture"] = "amd64", ["os"] = "linux", ["created"] = ObjectMetadata.Timestamp(createdAt),
            ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"), ["WorkingDir"] = "/app" },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
            ["history"] = new JsonArray(new JsonObject { ["created"] = ObjectMetadata.Timestamp(createdAt), ["created_by"] = $"COPY . /app # {build.Tool}" }),
        }.ToJsonString());
        await PushBlobAsync(baseUri, repository, auth, config, ct);
        await PushBlobAsync(baseUri, repository, auth, layer, ct);
        var manifest = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = ManifestType,
            ["config"] = new JsonObject { ["mediaType"] = ConfigType, ["size"] = config.Length, ["digest"] = Digest(config) },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = LayerType, ["size"] = layer.Length, ["digest"] = Digest(layer) }),
        }.ToJsonString());
        using var put = Request(HttpMethod.Put, new Uri(baseUri, $"v2/{repository}/manifests/{tag}"), auth);
        put.Content = new ByteArrayContent(manifest);
        put.Content.Headers.ContentType = new MediaTypeHeaderValue(ManifestType);
        using var response = await http.SendAsync(put, ct);
        await EnsureAsync(response, build.Destination, ct);
        return Digest(manifest);
    }

    public static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>One file, /app/BUILD, naming what was built: a stable tar made gzip, and the uncompressed digest for diff_ids.</summary>
    static (byte[] Gzipped, string DiffId) Layer(BuildInvocation build, DateTimeOffset createdAt)
    {
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "app/BUILD")
            {
                ModificationTime = createdAt, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"context={build.Context}\ndockerfile={build.Dockerfile}\ndestination={build.Destination}\n")),
            };
            writer.WriteEntry(entry);
        }
        var raw = tar.ToArray();
        using var gz = new MemoryStream();
        using (var gzip = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(raw);
        return (gz.ToArray(), Digest(raw));
    }

    async Task PushBlobAsync(Uri baseUri, string repository, AuthenticationHeaderValue? auth, byte[] blob, CancellationToken ct)
    {
        var digest = Digest(blob);
        using (var head = Request(HttpMethod.Head, new Uri(baseUri, $"v2/{repository}/blobs/{digest}"), auth))
        using (var exists = await http.SendAsync(head, ct))
            if (exists.StatusCode == HttpStatusCode.OK) return;
        using var post = Request(HttpMethod.Post, new Uri(baseUri, $"v2/{repository}/blobs/uploads/"), auth);
        using var started = await http.SendAsync(post, ct);
        await EnsureAsync(started, repository, ct);
        var location = started.Headers.Location ?? throw new PushFailed("the registry answered no upload location");
        if (!location.IsAbsoluteUri) location = new Uri(baseUri, location);
        var separator = location.Query.Length > 0 ? "&" : "?";
        using var put = Request(HttpMethod.Put, new Uri(location + $"{separator}digest={Uri.EscapeDataString(digest)}"), auth);
        put.Content = new ByteArrayContent(blob);
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var done = await http.SendAsync(put, ct);
        await EnsureAsync(done, repository, ct);
    }

    internal static HttpRequestMessage Request(HttpMethod method, Uri uri, AuthenticationHeaderValue? auth)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = auth;
        request.Headers.UserAgent.ParseAdd("kaniko/v1.23.2");
        return request;
    }

    /// <summary>Ping /v2/; on a Bearer challenge get a token for the actions (pull+push by default) on the repository, with Basic credentials when the config has them.</summary>
    internal async Task<AuthenticationHeaderValue?> AuthorizeAsync(Uri baseUri, string host, string repository, string? dockerConfig, CancellationToken ct,
        string actions = "pull,push")
    {
        using var ping = await http.GetAsync(new Uri(baseUri, "v2/"), ct);
        if (ping.StatusCode != HttpStatusCode.Unauthorized) return null;
        var basic = Credentials(dockerConfig, host);
        var challenge = ping.Headers.WwwAuthenticate.FirstOrDefault();
        if (challenge is null) throw new PushFailed("UNAUTHORIZED: the registry sent no challenge");
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
            return basic is null ? throw new PushFailed("UNAUTHORIZED: authentication required") : new AuthenticationHeaderValue("Basic", basic);
        var parameters = ChallengeParameters(challenge.Parameter ?? "");
        if (!parameters.TryGetValue("realm", out var realm)) throw new PushFailed("UNAUTHORIZED: the Bearer challenge names no realm");
        var query = $"scope={Uri.EscapeDataString($"repository:{repository}:{actions}")}";
        if (parameters.TryGetValue("service", out var service)) query = $"service={Uri.EscapeDataString(service)}&" + query;
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"{realm}{(realm.Contains('?') ? "&" : "?")}{query}");
        if (basic is not null) tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        using var answer = await http.SendAsync(tokenRequest, ct);
        if (!answer.IsSuccessStatusCode)
            throw new PushFailed($"UNAUTHORIZED: the token server answered {(int)answer.StatusCode} {answer.ReasonPhrase}");
        var body = JsonNode.Parse(await answer.Content.ReadAsStringAsync(ct));
        var token = body?["token"]?.GetValue<string>() ?? body?["access_token"]?.GetValue<string>()
            ?? throw new PushFailed("UNAUTHORIZED: the token server answered no token");
        return new AuthenticationHeaderValue("Bearer", token);
    }

    static Dictionary<string, string> ChallengeParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "([a-zA-Z_]+)=\"([^\"]*)\""))
            result[m.Groups[1].Value] = m.Groups[2].Value;
        return result;
    }

    /// <summary>base64(user:password) for the host from <c>auths</c> (keys as docker login writes them, with or without a scheme).</summary>
    static string? Credentials(string? dockerConfig, string host)
    {
        if (dockerConfig is null) return null;
        JsonObject? auths;
        try { auths = JsonNode.Parse(dockerConfig)?["auths"] as JsonObject; }
        catch (JsonException) { return null; }
        if (auths is null) return null;
        foreach (var (key, value) in auths)
        {
            var keyHost = key.Replace("https://", "").Replace("http://", "").TrimEnd('/');
            if (keyHost.EndsWith("/v1", StringComparison.Ordinal) || keyHost.EndsWith("/v2", StringComparison.Ordinal)) keyHost = keyHost[..^3];
            if (keyHost != host || value is not JsonObject entry) continue;
            if (entry.Str("auth") is { Length: > 0 } auth) return auth;
            if (entry.Str("username") is { } user && entry.Str("password") is { } password)
                return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        }
        return null;
    }

    static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        string detail;
        try
        {
            var errors = JsonNode.Parse(body)?["errors"]?.AsArray();
            detail = errors is { Count: > 0 }
                ? string.Join("; ", errors.Select(e => $"{e?["code"]?.GetValue<string>()}: {e?["message"]?.GetValue<string>()}"))
                : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (JsonException) { detail = $"{(int)response.StatusCode} {response.ReasonPhrase}"; }
        throw new PushFailed($"failed to push to destination {what}: {detail}");
    }
}

/// <summary>The builder's run: what it prints (Kaniko's log format), the push, the exit.</summary>
internal static class ImageBuildRun
{
    public sealed record Result(string Container, int ExitCode, string? Message);

    public static async Task<Result> RunAsync(BuildInvocation build, Logs.ContainerOutput output, bool fails, TimeProvider time,
        TimeSpan runTime, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        void Print(string line) => output.Append(time.GetUtcNow(), build.Tool == "kaniko"
            ? $"INFO[{(int)(time.GetUtcNow() - started).TotalSeconds:0000}] {line}"
            : $"#{line}");
        string[] steps =
        [
            $"Resolved build context {build.Context}",
            $"Using Dockerfile {build.Dockerfile}",
            "Retrieving image manifest alpine:3.20",
            "Built cross stage deps: map[]",
            "Executing 0 build triggers",
            "Building stage 'alpine:3.20' [idx: '0', base-idx: '-1']",
            "COPY . /app",
            "Taking snapshot of files...",
        ];
        try
        {
            foreach (var step in steps)
            {
                Print(step);
                await Task.Delay(runTime / steps.Length, time, ct);
            }
            if (fails)
                return Fail(build, output, "error building image: error building stage: failed to execute command: waiting for process to exit: exit status 1");
            if (build.Destination.Length == 0)
                return Fail(build, output, "error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: no destination given (--destination)");
            Print($"Pushing image to {build.Destination}");
            var digest = await new RegistryPush(RegistryPush.Shared).PushAsync(build, time.GetUtcNow(), ct);
            var (host, repository, _) = build.Reference();
            Print($"Pushed {host}/{repository}@{digest}");
            output.End();
            // Kaniko writes the digest to --digest-file; pointed at the termination message path, it becomes the message.
            return new Result(build.Container, 0, build.DigestFile == build.TerminationMessagePath ? digest : null);
        }
        catch (RegistryPush.PushFailed e) { return Fail(build, output, $"error pushing image: {e.Message}"); }
        catch (HttpRequestException e) { return Fail(build, output, $"error pushing image: failed to push to destination {build.Destination}: {e.Message}"); }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return Fail(build, output, $"error pushing image: failed to push to destination {build.Destination}: timeout");
        }
        catch (OperationCanceledException)
        {
            output.End();
            return new Result(build.Container, 137, null);
        }
    }

    static Result Fail(BuildInvocation build, Logs.ContainerOutput output, string error)
    {
        output.Append(output.LastAt, $"error: {error}");
        output.End();
        // terminationMessagePolicy FallbackToLogsOnError: the log's tail is the message when the container failed.
        var message = build.FallbackToLogsOnError ? string.Join("\n", output.Lines().TakeLast(80)) : null;
        if (message is { Length: > 2048 }) message = message[^2048..];
        return new Result(build.Container, 1, message);
    }
}
