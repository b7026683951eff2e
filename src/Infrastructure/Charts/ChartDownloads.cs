using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Cocktail.Application.Common;
using Cocktail.Infrastructure.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Infrastructure.Charts;

/// <summary>What a chart repository answered: the body, read up to a bound, or why there is none.</summary>
public sealed record Download(byte[] Body, string? ContentDigest);

/// <summary>
/// Every request Cocktail makes to a chart repository or an OCI registry: one named client (30 s, at most 5
/// redirects, connections refused to the address ranges platform admins refuse for clusters, by default link-local
/// where clouds serve instance credentials), bodies read up to a bound so a repository cannot make Cocktail hold
/// more than it allows, and the answers turned into the failures users see.
/// </summary>
public sealed class ChartDownloads(IHttpClientFactory clients)
{
    public const string HttpClientName = "charts";

    public static void AddClient(IServiceCollection services) =>
        services.AddHttpClient(HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectCallback = (context, ct) => ClusterAddressGuard.Current.ConnectAsync(context, ct),
                AllowAutoRedirect = true,
                MaxAutomaticRedirections = 5,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });

    /// <summary>
    /// GET <paramref name="uri"/>, reading at most <paramref name="maxBytes"/>. A registry asking for a token
    /// (401 with <c>WWW-Authenticate: Bearer realm=...</c>) gets the anonymous token flow of the Docker token
    /// specification, as Helm and Flux do for public charts.
    /// </summary>
    public async Task<Result<Download>> GetAsync(Uri uri, long maxBytes, string what, CancellationToken ct, params string[] accept)
    {
        var client = clients.CreateClient(HttpClientName);
        try
        {
            using var first = await SendAsync(client, uri, accept, null, ct);
            if (first.StatusCode == HttpStatusCode.Unauthorized && Challenge(first) is { } challenge)
            {
                var token = await AnonymousTokenAsync(client, challenge, ct);
                if (!token.Succeeded) return Result<Download>.Fail(token.Failure!);
                using var second = await SendAsync(client, uri, accept, token.Value, ct);
                return await ReadAsync(second, uri, maxBytes, what, ct);
            }
            return await ReadAsync(first, uri, maxBytes, what, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return Unavailable($"{Describe(uri)} did not answer: {Reason(e)}");
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Uri uri, string[] accept, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var type in accept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    private static async Task<Result<Download>> ReadAsync(HttpResponseMessage response, Uri uri, long maxBytes, string what, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.NotFound) return Failure.NotFound($"{Describe(uri)} answered 404 Not Found.");
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            return Unavailable($"{Describe(uri)} answered {(int)response.StatusCode} {response.ReasonPhrase}: the repository is not public.");
        if (!response.IsSuccessStatusCode)
            return Unavailable($"{Describe(uri)} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        var limit = $"The {what} at {Describe(uri)} is larger than {Size(maxBytes)}.";
        if (response.Content.Headers.ContentLength is > 0 and var length && length > maxBytes) return Failure.Invalid(limit);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var body = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > maxBytes) return Failure.Invalid(limit);
            body.Write(buffer, 0, read);
        }
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        return new Download(body.ToArray(), digest);
    }

    private sealed record BearerChallenge(Uri Realm, string? Service, string? Scope);

    private static BearerChallenge? Challenge(HttpResponseMessage response)
    {
        foreach (var header in response.Headers.WwwAuthenticate)
        {
            if (!string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) || header.Parameter is null) continue;
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var part in SplitParameters(header.Parameter))
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0) parameters[part[..eq].Trim()] = part[(eq + 1)..].Trim().Trim('"');
            }
            if (parameters.TryGetValue("realm", out var realm) && Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)
                && realmUri.Scheme is "http" or "https")
                return new BearerChallenge(realmUri, parameters.GetValueOrDefault("service"), parameters.GetValueOrDefault("scope"));
        }
        return null;
    }

    /// <summary>Splits on commas outside quotes (a scope may hold "repository:a:pull,push").</summary>
    private static IEnumerable<string> SplitParameters(string parameter)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < parameter.Length; i++)
        {
            if (parameter[i] == '"') quoted = !quoted;
            else if (parameter[i] == ',' && !quoted)
            {
                yield return parameter[start..i];
                start = i + 1;
            }
        }
        yield return parameter[start..];
    }

    private static async Task<Result<string>> AnonymousTokenAsync(HttpClient client, BearerChallenge challenge, CancellationToken ct)
    {
        var query = new List<string>();
        if (challenge.Service is not null) query.Add($"service={Uri.EscapeDataString(challenge.Service)}");
        if (challenge.Scope is not null) query.Add($"scope={Uri.EscapeDataString(challenge.Scope)}");
        var uri = new UriBuilder(challenge.Realm) { Query = string.Join('&', query) }.Uri;
        using var response = await SendAsync(client, uri, ["application/json"], null, ct);
        var read = await ReadAsync(response, uri, 64 * 1024, "token answer", ct);
        if (!read.Succeeded)
            return Result<string>.Fail(new Failure(FailureKind.Unavailable, $"The registry refused an anonymous token: {read.Failure!.Message} The repository is not public."));
        try
        {
            using var json = JsonDocument.Parse(read.Value!.Body);
            foreach (var name in (string[])["token", "access_token"])
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String)
                    return t.GetString()!;
        }
        catch (JsonException)
        {
            // reported below
        }
        return Result<string>.Fail(new Failure(FailureKind.Unavailable, $"The registry's token service at {challenge.Realm.Authority} did not answer with a token."));
    }

    public static Failure Unavailable(string message) => new(FailureKind.Unavailable, message);

    /// <summary>Scheme, host and path: never the query or user info, which may carry credentials.</summary>
    public static string Describe(Uri uri) => $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}";

    private static string Reason(Exception e)
    {
        if (e is TaskCanceledException) return "no answer within 30 seconds";
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is RefusedAddressException refused) return refused.Message;
        var root = e;
        while (root.InnerException is not null) root = root.InnerException;
        return root == e ? e.Message : $"{e.Message} ({root.Message})";
    }

    public static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";
}
