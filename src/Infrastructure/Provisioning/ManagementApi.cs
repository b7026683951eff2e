using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cocktail.Application.Provisioning;
using Cocktail.Infrastructure.Kubernetes;
using k8s;

namespace Cocktail.Infrastructure.Provisioning;

/// <summary>
/// Plain JSON calls to a management cluster's API server through the cluster's cached, resilient client
/// (<see cref="ClusterClientFactory"/>): Cluster API's kinds are custom resources that KubernetesClient has no models
/// for, and every answer is read with a bound (<see cref="ResilientClusterCalls.BufferLimit"/>) so that a huge list or
/// Secret cannot exhaust memory.
/// </summary>
internal sealed class ManagementApi(IKubernetes client, string server)
{
    public const long DefaultLimit = 16L * 1024 * 1024;
    private const string FieldManager = Application.Provisioning.Building.ClusterObjects.FieldManager;

    public string Server { get; } = server;

    /// <summary>The object at <paramref name="path"/>, or null when the API server says 404.</summary>
    public async Task<JsonElement?> GetAsync(string path, CancellationToken ct, long limit = DefaultLimit)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, null, limit, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>Every item of a list, page by page (each page bounded).</summary>
    public async Task<List<JsonElement>> ListAsync(string path, CancellationToken ct, string? labelSelector = null, int pageSize = 100, long limit = DefaultLimit)
    {
        var items = new List<JsonElement>();
        string? next = null;
        do
        {
            var query = new List<string> { $"limit={pageSize}" };
            if (labelSelector is not null) query.Add("labelSelector=" + Uri.EscapeDataString(labelSelector));
            if (next is not null) query.Add("continue=" + Uri.EscapeDataString(next));
            var page = await GetAsync($"{path}?{string.Join('&', query)}", ct, limit);
            if (page is not { } list) return items; // the kind is not served (any more)
            if (list.TryGetProperty("items", out var pageItems) && pageItems.ValueKind == JsonValueKind.Array)
                items.AddRange(pageItems.EnumerateArray());
            next = list.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String
                ? c.GetString() : null;
        } while (!string.IsNullOrEmpty(next));
        return items;
    }

    /// <summary>A list's items and its resourceVersion, to watch from (every page bounded).</summary>
    public async Task<(List<JsonElement> Items, string? ResourceVersion)> ListForWatchAsync(string path, string? labelSelector, CancellationToken ct)
    {
        var items = new List<JsonElement>();
        string? next = null, version = null;
        do
        {
            var query = new List<string> { "limit=500" };
            if (labelSelector is not null) query.Add("labelSelector=" + Uri.EscapeDataString(labelSelector));
            if (next is not null) query.Add("continue=" + Uri.EscapeDataString(next));
            var page = await GetAsync($"{path}?{string.Join('&', query)}", ct) ?? throw new ManagementRefusedException(HttpStatusCode.NotFound, $"{path} is not served.");
            if (page.TryGetProperty("items", out var pageItems) && pageItems.ValueKind == JsonValueKind.Array) items.AddRange(pageItems.EnumerateArray());
            var meta = page.TryGetProperty("metadata", out var m) ? m : default;
            version = ServedKinds.Text(meta, "resourceVersion") ?? version;
            next = ServedKinds.Text(meta, "continue");
        } while (!string.IsNullOrEmpty(next));
        return (items, version);
    }

    /// <summary>Maximum length of one watch event (one object): a larger one ends the watch.</summary>
    public const int MaxWatchLine = 8 * 1024 * 1024;

    /// <summary>
    /// The watch events from <paramref name="resourceVersion"/> on, as the API server streams them (one JSON object per
    /// line: <c>type</c> and <c>object</c>), each line bounded. Watches bypass the retry pipeline (they stay open).
    /// </summary>
    public async IAsyncEnumerable<JsonElement> WatchAsync(string path, string? labelSelector, string? resourceVersion,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var query = new List<string> { "watch=true", "allowWatchBookmarks=true", "timeoutSeconds=300" };
        if (resourceVersion is not null) query.Add("resourceVersion=" + Uri.EscapeDataString(resourceVersion));
        if (labelSelector is not null) query.Add("labelSelector=" + Uri.EscapeDataString(labelSelector));
        using var response = await SendAsync(HttpMethod.Get, $"{path}?{string.Join('&', query)}", null, null, DefaultLimit, ct);
        await EnsureSuccessAsync(response, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[64 * 1024];
        using var line = new MemoryStream();
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                line.Write(buffer, start, i - start);
                start = i + 1;
                if (line.Length > 0) yield return Parse(line);
                line.SetLength(0);
            }
            line.Write(buffer, start, read - start);
            if (line.Length > MaxWatchLine) throw new ResponseTooLargeException(MaxWatchLine);
        }
        if (line.Length > 0) yield return Parse(line);
    }

    private static JsonElement Parse(MemoryStream line)
    {
        using var json = JsonDocument.Parse(line.GetBuffer().AsMemory(0, (int)line.Length), new JsonDocumentOptions { MaxDepth = 128 });
        return json.RootElement.Clone();
    }

    /// <summary>Server-side apply, forced: the fields Cocktail sets are Cocktail's (the field manager is <c>cocktail</c>).</summary>
    public async Task ApplyAsync(string path, JsonObject body, CancellationToken ct)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        using var response = await SendAsync(HttpMethod.Patch, $"{path}?fieldManager={FieldManager}&force=true", content, null, DefaultLimit, ct);
        await EnsureSuccessAsync(response, ct);
    }

    public async Task<JsonElement> PostAsync(string path, JsonObject body, CancellationToken ct)
    {
        var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await SendAsync(HttpMethod.Post, path, content, null, DefaultLimit, ct);
        await EnsureSuccessAsync(response, ct);
        return await ReadAsync(response, ct);
    }

    /// <summary>Deletes the object; absent already is fine.</summary>
    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Delete, path, null, null, DefaultLimit, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return;
        await EnsureSuccessAsync(response, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? accept, long limit, CancellationToken ct)
    {
        var kubernetes = (k8s.Kubernetes)client;
        using var request = new HttpRequestMessage(method, new Uri(kubernetes.BaseUri, path.TrimStart('/'))) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept ?? "application/json"));
        request.Options.Set(ResilientClusterCalls.BufferLimit, limit);
        if (kubernetes.Credentials is { } credentials) await credentials.ProcessHttpRequestAsync(request, ct);
        return await kubernetes.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var json = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { MaxDepth = 128 }, ct);
        return json.RootElement.Clone();
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        throw new ManagementRefusedException(response.StatusCode, await StatusMessageAsync(response, ct));
    }

    /// <summary>
    /// The API server's own message from its Status answer (what kubectl prints). Any other body is not repeated: the
    /// server may not be an API server at all.
    /// </summary>
    private static async Task<string> StatusMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await ReadAsync(response, ct);
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String &&
                kind.GetString() == "Status" && body.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String &&
                !string.IsNullOrWhiteSpace(message.GetString()))
                return Clip(message.GetString()!, 600);
        }
        catch (Exception e) when (e is JsonException or IOException) { }
        return $"{(int)response.StatusCode} {response.ReasonPhrase}";
    }

    internal static string Clip(string value, int max) => value.Length <= max ? value : value[..max] + "…";

    /// <summary>What went wrong, in words safe to show: the API server's Status message, or why it could not be reached.</summary>
    public static ManagementFailure Failure(Exception e, string server, string? field = null) => e switch
    {
        ManagementRefusedException { Status: var status } refused when (int)status >= 500 || status == HttpStatusCode.TooManyRequests =>
            new ManagementFailure($"{server} answered {(int)status}: {refused.Message}", true, field),
        ManagementRefusedException refused => new ManagementFailure(refused.Message, false, field),
        _ => new ManagementFailure(ConnectionErrors.Describe(e, server).Message, true, field),
    };
}

/// <summary>An answer other than 2xx (and other than an expected 404), with the API server's Status message.</summary>
internal sealed class ManagementRefusedException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
