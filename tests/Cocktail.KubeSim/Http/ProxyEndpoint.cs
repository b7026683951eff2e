using System.Net;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Proxy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// The apiserver's proxy subresources: <c>services/{[scheme:]name[:port]}/proxy/{path}</c> resolves the Service port
/// like the service REST storage's ResourceLocation (a port number is looked up among the Service's ports, a
/// missing Service is 404, no backend is 503 "no endpoints available") and forwards the request (method, path,
/// query, body; without the caller's Authorization header, which the apiserver drops once it has authenticated)
/// to the backend a test routed to that port; <c>nodes/{name[:port]}/proxy/{path}</c> reaches the simulated
/// kubelet and node exporters.
/// </summary>
internal sealed class ProxyEndpoint(ClusterRuntime cluster)
{
    /// <summary>
    /// The apiserver's proxy transport does not verify backend certificates (it has no CA for pod serving certs),
    /// does not follow redirects and passes compressed bodies through untouched.
    /// </summary>
    static readonly HttpClient Backend = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    })
    { Timeout = TimeSpan.FromSeconds(60) };

    static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding",
        "Upgrade", "Host", "Authorization", "Content-Length",
    };

    readonly NodeExposition _nodes = new(cluster);

    public async Task Serve(Exchange exchange, ResourceType type)
    {
        var info = exchange.Info!;
        var (path, query) = ProxiedPath(exchange.Http, namespaced: type.Namespaced);
        if (type.Resource == "nodes")
        {
            var (node, nodePort) = SplitNamePort(info.Name);
            if (node is null) throw ApiException.BadRequest($"invalid node request \"{info.Name}\"");
            cluster.Registry.Get(type, "", node); // 404 for an unknown node, as the node REST storage answers
            await Respond(exchange, await _nodes.Answer(node, nodePort, path, exchange.Http.RequestAborted));
            return;
        }

        var (scheme, name, portText, valid) = SplitSchemeNamePort(info.Name);
        if (!valid) throw ApiException.BadRequest($"invalid service request \"{info.Name}\"");
        var service = cluster.Registry.TryGet(type, info.Namespace, name);
        if (service is null)
        {
            // A named port goes straight to the Endpoints object, so that is what a real apiserver reports missing.
            throw int.TryParse(portText, out _) || portText.Length == 0
                ? ApiException.NotFound("", "services", name)
                : ApiException.NotFound("", "endpoints", name);
        }
        var port = ServicePort(service, name, portText);
        var backend = cluster.ServiceRoutes.Find(info.Namespace, name, port)
            ?? throw ApiException.ServiceUnavailable($"no endpoints available for service \"{name}\"");
        switch (backend)
        {
            case ServiceBackend.Local local:
                await Respond(exchange, await local.Answer(path, query, exchange.Http.RequestAborted));
                break;
            case ServiceBackend.Remote remote:
                await Forward(exchange, new UriBuilder(scheme.Length == 0 ? "http" : scheme, remote.Address.Host, remote.Address.Port)
                {
                    Path = path, Query = query,
                }.Uri);
                break;
        }
    }

    static int ServicePort(System.Text.Json.Nodes.JsonObject service, string name, string portText)
    {
        var ports = service.At("spec", "ports").Objects().ToList();
        if (int.TryParse(portText, out var number))
        {
            if (ports.Any(p => p.Long("port") == number)) return number;
            throw ApiException.ServiceUnavailable($"no service port {number} found for service \"{name}\"");
        }
        var match = ports.FirstOrDefault(p => (p.Str("name") ?? "") == portText);
        return match?.Long("port") is { } port
            ? (int)port
            : throw ApiException.ServiceUnavailable($"no endpoints available for service \"{name}\"");
    }

    async Task Forward(Exchange exchange, Uri target)
    {
        var http = exchange.Http;
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), target);
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(http.Request.Body);
            if (http.Request.ContentType is { } contentType) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        foreach (var (key, values) in http.Request.Headers)
        {
            if (HopByHop.Contains(key) || key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) continue;
            request.Headers.TryAddWithoutValidation(key, (IEnumerable<string>)values!);
        }
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1");

        HttpResponseMessage response;
        try
        {
            response = await Backend.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !http.RequestAborted.IsCancellationRequested)
        {
            throw ApiException.ServiceUnavailable($"error trying to reach service: {e.InnerException?.Message ?? e.Message}");
        }
        using (response)
        {
            exchange.Code = (int)response.StatusCode;
            http.Response.StatusCode = (int)response.StatusCode;
            foreach (var (key, values) in response.Headers.Concat(response.Content.Headers))
                if (!HopByHop.Contains(key)) http.Response.Headers[key] = values.ToArray();
            if (response.Content.Headers.ContentLength is { } length) http.Response.ContentLength = length;
            await using var body = await response.Content.ReadAsStreamAsync(http.RequestAborted);
            await body.CopyToAsync(http.Response.Body, http.RequestAborted);
        }
    }

    static async Task Respond(Exchange exchange, LocalAnswer answer)
    {
        exchange.Code = answer.Status;
        await Responses.WriteBytes(exchange.Http, answer.Status, answer.Body, answer.ContentType);
    }

    /// <summary>The path after <c>.../{name}/proxy</c>, still escaped as the client sent it, and the query string.</summary>
    static (string Path, string Query) ProxiedPath(HttpContext http, bool namespaced)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? http.Request.Path + http.Request.QueryString;
        var queryAt = raw.IndexOf('?');
        var path = queryAt < 0 ? raw : raw[..queryAt];
        var query = queryAt < 0 ? "" : raw[(queryAt + 1)..];
        // ["", "api", "v1", "namespaces", ns, "services", name, "proxy", ...] or ["", "api", "v1", "nodes", name, "proxy", ...]
        var segments = path.Split('/');
        var after = namespaced ? 8 : 6;
        var rest = segments.Length > after ? "/" + string.Join('/', segments[after..]) : "/";
        return (Uri.UnescapeDataString(rest), query);
    }

    /// <summary>k8s.io/apimachinery's SplitSchemeNamePort: "name", "name:port" or "scheme:name:port" (scheme http or https).</summary>
    internal static (string Scheme, string Name, string Port, bool Valid) SplitSchemeNamePort(string id)
    {
        var parts = id.Split(':');
        var (scheme, name, port) = parts switch
        {
            [var n] => ("", n, ""),
            [var n, var p] => ("", n, p),
            [var s, var n, var p] => (s, n, p),
            _ => ("", "", ""),
        };
        return name.Length > 0 && scheme is "" or "http" or "https" ? (scheme, name, port, true) : ("", "", "", false);
    }

    static (string? Node, int Port) SplitNamePort(string id)
    {
        var (scheme, name, port, valid) = SplitSchemeNamePort(id);
        if (!valid) return (null, 0);
        _ = scheme;
        if (port.Length == 0) return (name, 10250);
        return int.TryParse(port, out var number) ? (name, number) : (null, 0);
    }
}
