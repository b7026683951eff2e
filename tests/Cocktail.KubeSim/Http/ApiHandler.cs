using System.Text.Json.Nodes;
using Cocktail.KubeSim.Audit;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Rbac;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// The request path of the apiserver for one cluster: fault injection, authentication (401), request info,
/// authorization (403), then the resource or non-resource handler; every outcome is a Status on failure and is
/// audited.
/// </summary>
internal sealed class ApiHandler(ClusterRuntime cluster)
{
    readonly ResourceEndpoints _resources = new(cluster);
    readonly NonResourceEndpoints _nonResources = new(cluster);

    public async Task Handle(HttpContext http)
    {
        var received = cluster.Time.GetUtcNow();
        var auditId = Guid.NewGuid().ToString();
        http.Response.Headers["Audit-Id"] = auditId;
        var exchange = new Exchange(http);
        try
        {
            await cluster.Faults.BeforeRequest(http.RequestAborted);
            exchange.User = cluster.Authenticator.Authenticate(
                http.Request.Headers.Authorization.ToString(), await ClientCertificate(http));
            var isWatch = QueryOptions.Flag(http, "watch");
            exchange.Info = RequestInfo.Parse(http.Request.Method, http.Request.Path.Value ?? "/", isWatch, cluster.Catalog);
            Impersonation.Apply(http, exchange, cluster);
            RecordStage(exchange, "RequestReceived", auditId, received, null);
            Authorize(exchange);
            if (exchange.Info.IsResourceRequest) await _resources.Serve(exchange);
            else await _nonResources.Serve(exchange);
        }
        catch (ApiException e)
        {
            exchange.Failure = e;
            exchange.Code = e.Code;
            if (!http.Response.HasStarted) await Responses.WriteStatus(http, e);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested || cluster.Stopping.IsCancellationRequested)
        {
        }
        catch (BadHttpRequestException e)
        {
            exchange.Failure = e.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? ApiException.RequestEntityTooLarge(http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0)
                : ApiException.BadRequest(e.Message);
            exchange.Code = exchange.Failure.Code;
            if (!http.Response.HasStarted) await Responses.WriteStatus(http, exchange.Failure);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            exchange.Failure = ApiException.Internal(e.Message);
            exchange.Code = 500;
            if (!http.Response.HasStarted) await Responses.WriteStatus(http, exchange.Failure);
        }
        finally
        {
            RecordStage(exchange, "ResponseComplete", auditId, received, exchange.Code ?? http.Response.StatusCode);
        }
    }

    static async Task<System.Security.Cryptography.X509Certificates.X509Certificate2?> ClientCertificate(HttpContext http) =>
        http.Connection.ClientCertificate ?? await http.Connection.GetClientCertificateAsync(http.RequestAborted);

    void Authorize(Exchange exchange)
    {
        var info = exchange.Info!;
        var attributes = info.IsResourceRequest
            ? new AuthorizationAttributes(exchange.User!, info.Verb, true, info.Group, info.Resource, info.Subresource, info.Namespace, info.Name)
            : new AuthorizationAttributes(exchange.User!, info.Verb, false, Path: info.Path);
        exchange.Allowed = cluster.Authorizer.IsAllowed(attributes);
        if (exchange.Allowed == true) return;
        throw info.IsResourceRequest
            ? ApiException.Forbidden(info.Group, info.Resource, info.Name.Length > 0 ? info.Name : null, attributes.DenialMessage())
            : new ApiException(403, "Forbidden", $"forbidden: {attributes.DenialMessage()}", new JsonObject());
    }

    void RecordStage(Exchange exchange, string stage, string auditId, DateTimeOffset received, int? code)
    {
        if (!cluster.Audit.Wants(stage) || exchange.Info is null && stage == "RequestReceived") return;
        if (exchange.Info is { IsResourceRequest: false } && exchange.Info.Path is "/healthz" or "/livez" or "/readyz") return;
        var http = exchange.Http;
        var uri = http.Request.Path + http.Request.QueryString;
        var verb = exchange.Info?.Verb ?? http.Request.Method.ToLowerInvariant();
        cluster.Audit.Record(AuditEventBuilder.Build(cluster.Audit.Level, stage, auditId, uri, verb,
            exchange.AuthenticatedAs ?? exchange.User, exchange.AuthenticatedAs is null ? null : exchange.User,
            http.Connection.RemoteIpAddress?.ToString() ?? "127.0.0.1", http.Request.Headers.UserAgent.ToString(),
            exchange.Info, code, exchange.Failure, exchange.RequestObject,
            exchange.ResponseObject ?? exchange.Failure?.ToStatus(), received, cluster.Time.GetUtcNow(), exchange.Allowed));
    }
}

/// <summary>One request in flight: who asked, what for, and what was answered (for audit).</summary>
internal sealed class Exchange(HttpContext http)
{
    public HttpContext Http { get; } = http;
    public UserInfo? User { get; set; }
    /// <summary>The real caller when the request impersonates <see cref="User"/>.</summary>
    public UserInfo? AuthenticatedAs { get; set; }
    public RequestInfo? Info { get; set; }
    public bool? Allowed { get; set; }
    public int? Code { get; set; }
    public ApiException? Failure { get; set; }
    public JsonNode? RequestObject { get; set; }
    public JsonNode? ResponseObject { get; set; }

    public async Task Respond(int code, JsonNode body)
    {
        Code = code;
        ResponseObject = body;
        foreach (var warning in Registry.ObjectRegistry.LastWarnings)
            Http.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"")}\"");
        Registry.ObjectRegistry.LastWarnings = [];
        await Responses.WriteJson(Http, code, body);
    }
}
