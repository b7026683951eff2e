using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Monitoring;
using Cocktail.Application.Monitoring.ConfiguringPrometheus;
using Cocktail.Domain.Monitoring;
using Cocktail.Infrastructure.Kubernetes;
using k8s.Models;
using Marten;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Cocktail.Infrastructure.Monitoring;

/// <summary>
/// A cluster's Prometheus HTTP API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>). Through the API server's
/// service proxy it rides the cluster's own cached client (<see cref="ClusterClientFactory"/>: its TLS, credentials and
/// turn among the cluster's requests in flight; tried once and outside the cluster's circuit, since a dead Prometheus
/// says nothing about the API server), as a GET so that <c>get</c> on <c>services/proxy</c> is all the cluster's
/// credential needs. A direct URL gets a client of its own with the stored token or basic auth and CA, through the
/// same refused-address check as clusters. Answers are read up to <see cref="PrometheusOptions.MaxResponseBytes"/>;
/// failures are typed and their messages never carry a credential.
/// </summary>
public sealed class ClusterPrometheus(IDocumentStore store, ClusterClientFactory clients, ICredentialVault vault,
    IDataProtectionProvider protection, IOptions<PrometheusOptions> options) : IClusterPrometheus, IPrometheusProbe, IDisposable
{
    /// <summary>A longer query goes as a POST form (which needs <c>create</c> on services/proxy) rather than in the URL.</summary>
    const int LongestGetQuery = 6 * 1024;

    readonly ConcurrentDictionary<Guid, (string Key, HttpClient Client)> _direct = new();

    public async Task<PrometheusAnswer<IReadOnlyList<PrometheusSample>>> QueryAsync(Guid clusterId, string promql, DateTimeOffset at, CancellationToken ct)
    {
        var endpoint = await SavedAsync(clusterId, ct);
        if (endpoint is null) return NotConfigured<IReadOnlyList<PrometheusSample>>();
        var (body, failure) = await CallAsync(clusterId, endpoint, "api/v1/query",
            [new("query", promql), new("time", Seconds(at))], ct);
        return failure is not null ? new(default, failure) : Parse(() => PrometheusAnswerParser.Vector(body!));
    }

    public async Task<PrometheusAnswer<IReadOnlyList<PrometheusSeries>>> QueryRangeAsync(Guid clusterId, string promql, DateTimeOffset start,
        DateTimeOffset end, TimeSpan step, CancellationToken ct)
    {
        var endpoint = await SavedAsync(clusterId, ct);
        if (endpoint is null) return NotConfigured<IReadOnlyList<PrometheusSeries>>();
        var (body, failure) = await CallAsync(clusterId, endpoint, "api/v1/query_range",
            [new("query", promql), new("start", Seconds(start)), new("end", Seconds(end)),
             new("step", step.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture))], ct);
        return failure is not null ? new(default, failure) : Parse(() => PrometheusAnswerParser.Matrix(body!));
    }

    public async Task<PrometheusAnswer<string>> BuildInfoAsync(Guid clusterId, PrometheusEndpoint endpoint, CancellationToken ct)
    {
        var (body, failure) = await CallAsync(clusterId, endpoint, "api/v1/status/buildinfo", [], ct);
        return failure is not null ? new(default, failure) : Parse(() => PrometheusAnswer<string>.Ok(PrometheusAnswerParser.BuildVersion(body!)));
    }

    public async Task<PrometheusEndpoint?> SavedAsync(Guid clusterId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var view = await session.LoadAsync<ClusterMonitoringView>(clusterId, ct);
        if (view?.Location is not { } location) return null;
        var secrets = location.Source == PrometheusSource.DirectUrl
            ? await ConfigureClusterMonitoringHandler.StoredSecretsAsync(session, protection, clusterId, ct)
            : PrometheusSecrets.None;
        return new PrometheusEndpoint(location, secrets);
    }

    static PrometheusAnswer<T> NotConfigured<T>() => PrometheusAnswer<T>.Fail(PrometheusFailureKind.NotConfigured,
        "This cluster has no Prometheus location: set one in its monitoring settings.");

    static PrometheusAnswer<T> Parse<T>(Func<PrometheusAnswer<T>> parse)
    {
        try { return parse(); }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IndexOutOfRangeException)
        {
            return PrometheusAnswer<T>.Fail(PrometheusFailureKind.Unreachable, "The answer is not Prometheus' HTTP API.");
        }
    }

    static string Seconds(DateTimeOffset at) => (at.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    async Task<(byte[]? Body, PrometheusFailure? Failure)> CallAsync(Guid clusterId, PrometheusEndpoint endpoint, string api,
        IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        var proxied = endpoint.Location.Source == PrometheusSource.ServiceProxy;
        try
        {
            using var response = proxied
                ? await SendThroughProxyAsync(clusterId, endpoint.Location, api, parameters, timeout.Token)
                : await SendDirectAsync(clusterId, endpoint, api, parameters, timeout.Token);
            if (response is null) return (null, new PrometheusFailure(PrometheusFailureKind.NotConfigured, "The cluster's credentials are missing."));
            if (response.Content.Headers.ContentLength > options.Value.MaxResponseBytes) throw new ResponseTooLargeException(options.Value.MaxResponseBytes);
            var body = await ReadBoundedAsync(response, timeout.Token);
            if (response.IsSuccessStatusCode) return (body, null);
            return (null, Classify(response.StatusCode, body, proxied, endpoint.Location));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, Unreachable($"Prometheus did not answer within {options.Value.Timeout.TotalSeconds:0} s."));
        }
        catch (ResponseTooLargeException e)
        {
            return (null, Unreachable($"Prometheus' answer is too large: {e.Message} Narrow the query."));
        }
        catch (Exception e) when (Describe(e, proxied) is { } message)
        {
            return (null, Unreachable(message));
        }
    }

    async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var limit = options.Value.MaxResponseBytes;
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) throw new ResponseTooLargeException(limit);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    static PrometheusFailure Unreachable(string message) => new(PrometheusFailureKind.Unreachable, message);

    async Task<HttpResponseMessage?> SendThroughProxyAsync(Guid clusterId, PrometheusLocation location, string api,
        IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken ct)
    {
        ClusterConnection connection;
        await using (var session = store.QuerySession())
        {
            var credential = await session.LoadAsync<ClusterCredential>(clusterId, ct);
            if (credential is null) return null;
            connection = vault.Unprotect(credential.Protected);
        }
        using var lease = clients.Lease(connection);
        var client = (k8s.Kubernetes)lease.Client;
        using var request = Request(new Uri(client.BaseUri, $"{location.ProxyPath}/{api}"), parameters);
        request.Options.Set(ResilientClusterCalls.ServiceProxy, true);
        request.Options.Set(ResilientClusterCalls.BufferLimit, options.Value.MaxResponseBytes);
        if (client.Credentials is { } credentials) await credentials.ProcessHttpRequestAsync(request, ct);
        return await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    async Task<HttpResponseMessage> SendDirectAsync(Guid clusterId, PrometheusEndpoint endpoint, string api,
        IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken ct)
    {
        var location = endpoint.Location;
        var client = DirectClient(clusterId, endpoint);
        using var request = Request(new Uri($"{location.Url!.TrimEnd('/')}/{api}"), parameters);
        request.Headers.Authorization = location.Auth switch
        {
            PrometheusAuth.Bearer when endpoint.Secrets.BearerToken is { } token => new AuthenticationHeaderValue("Bearer", token),
            PrometheusAuth.Basic when endpoint.Secrets.Password is { } password => new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{location.Username}:{password}"))),
            _ => null,
        };
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    static HttpRequestMessage Request(Uri endpoint, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var query = string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        if (query.Length <= LongestGetQuery)
            return new HttpRequestMessage(HttpMethod.Get, query.Length == 0 ? endpoint : new Uri($"{endpoint}?{query}"));
        return new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new FormUrlEncodedContent(parameters) };
    }

    /// <summary>One client per cluster and set of direct settings; new settings (a rotated token, another CA) get a new one.</summary>
    HttpClient DirectClient(Guid clusterId, PrometheusEndpoint endpoint)
    {
        var key = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(endpoint)));
        if (_direct.TryGetValue(clusterId, out var cached) && cached.Key == key) return cached.Client;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ClusterAddressGuard.Current.ConnectAsync,
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            AutomaticDecompression = DecompressionMethods.GZip,
        };
        if (endpoint.Secrets.CaCertificate is { } pem)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(pem);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                TrustedBy(roots, certificate as X509Certificate2, errors);
        }
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _direct.AddOrUpdate(clusterId, (key, client), (_, old) =>
        {
            old.Client.Dispose();
            return (key, client);
        });
        return client;
    }

    /// <summary>The server's certificate chains to the given CA (and names the host: other errors still fail).</summary>
    static bool TrustedBy(X509Certificate2Collection roots, X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        return chain.Build(certificate);
    }

    static PrometheusFailure Classify(HttpStatusCode code, byte[] body, bool proxied, PrometheusLocation location)
    {
        // Prometheus' own error: bad_data (400) and execution (422) are the query's fault; the rest (timeout, canceled, internal) are not.
        if (PrometheusAnswerParser.Error(body) is { } error)
        {
            var message = Truncate(error.Message, 500);
            return error.Type is "bad_data" or "execution"
                ? new PrometheusFailure(PrometheusFailureKind.BadQuery, message)
                : (int)code is 401 or 403
                    ? new PrometheusFailure(PrometheusFailureKind.Refused, $"Prometheus refused the request: {message}")
                    : Unreachable($"Prometheus failed the query ({error.Type}): {message}");
        }
        var status = proxied ? KubernetesStatus(body) : null;
        return (code, proxied) switch
        {
            (HttpStatusCode.Unauthorized, true) when status is not null =>
                new(PrometheusFailureKind.Refused, "The API server refused the cluster's credentials (401 Unauthorized)."),
            (HttpStatusCode.Forbidden, true) when status is not null =>
                new(PrometheusFailureKind.Refused, $"The API server refused the proxy request (403): {status}"),
            (HttpStatusCode.NotFound, true) when status is not null =>
                Unreachable($"The Service {location.ServiceNamespace}/{location.ServiceName} was not found: {status}"),
            (_, true) when status is not null => Unreachable($"The API server could not reach Prometheus ({(int)code}): {status}"),
            (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, _) =>
                new(PrometheusFailureKind.Refused, $"Prometheus refused the credentials ({(int)code} {code})."),
            _ => Unreachable($"Prometheus answered {(int)code} {code}, not its API."),
        };
    }

    /// <summary>The message of the API server's own Status answer; other bodies are not repeated.</summary>
    static string? KubernetesStatus(byte[] body)
    {
        try
        {
            var status = JsonSerializer.Deserialize<V1Status>(body, new JsonSerializerOptions { PropertyNameCaseInsensitive = true });
            return status is { Kind: "Status" } && !string.IsNullOrWhiteSpace(status.Message) ? Truncate(status.Message, 400) : null;
        }
        catch (JsonException) { return null; }
    }

    static string? Describe(Exception e, bool proxied)
    {
        var where = proxied ? "the cluster's API server" : "Prometheus";
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case RefusedAddressException refused: return $"Cocktail does not connect to {refused.Host}: the address is in a refused range.";
                case AuthenticationException: return $"The TLS handshake with {where} failed: its certificate is not trusted (check the CA).";
                case System.Net.Sockets.SocketException socket: return $"Cannot reach {where}: {socket.SocketErrorCode}.";
                case Polly.CircuitBreaker.BrokenCircuitException: return $"Cannot reach {where}: it failed repeatedly just now.";
            }
        }
        return e is HttpRequestException or IOException or TimeoutException ? $"Cannot reach {where}: {e.GetBaseException().Message}" : null;
    }

    static string Truncate(string value, int max) => value.Length <= max ? value : value[..max] + "…";

    public void Dispose()
    {
        foreach (var (_, client) in _direct.Values) client.Dispose();
        _direct.Clear();
    }
}
