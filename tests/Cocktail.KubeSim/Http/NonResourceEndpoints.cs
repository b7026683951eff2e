using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;

namespace Cocktail.KubeSim.Http;

/// <summary>Discovery, OpenAPI and health endpoints.</summary>
internal sealed class NonResourceEndpoints(ClusterRuntime cluster)
{
    public async Task Serve(Exchange exchange)
    {
        var http = exchange.Http;
        var path = (http.Request.Path.Value ?? "/").TrimEnd('/');
        if (path.Length == 0) path = "/";
        if (http.Request.Method is not ("GET" or "HEAD")) throw ApiException.MethodNotAllowed();
        var segments = path.Trim('/').Split('/');
        switch (segments)
        {
            case ["version"]:
                await exchange.Respond(200, DiscoveryDocuments.Version(cluster.KubernetesVersion));
                return;
            case ["healthz"] or ["livez"] or ["readyz"]:
                exchange.Code = 200;
                await Responses.WriteBytes(http, 200, "ok"u8.ToArray(), "text/plain; charset=utf-8");
                return;
            case ["api"] when AggregatedDiscovery.IsRequested(http.Request.Headers.Accept.ToString()):
            case ["apis"] when AggregatedDiscovery.IsRequested(http.Request.Headers.Accept.ToString()):
                exchange.Code = 200;
                await Responses.WriteBytes(http, 200, Json.JsonExtensions.ToUtf8(AggregatedDiscovery.Document(cluster.Catalog, core: segments[0] == "api")), AggregatedDiscovery.MediaType);
                return;
            case ["api"]:
                await exchange.Respond(200, DiscoveryDocuments.CoreVersions(cluster.ServerAddress));
                return;
            case ["api", "v1"]:
                await exchange.Respond(200, DiscoveryDocuments.ResourceList(cluster.Catalog, "", "v1"));
                return;
            case ["apis"]:
                await exchange.Respond(200, DiscoveryDocuments.GroupList(cluster.Catalog));
                return;
            case ["apis", var group]:
                var versions = cluster.Catalog.Groups().FirstOrDefault(g => g.Group == group).Versions
                               ?? throw ApiException.PageNotFound();
                await exchange.Respond(200, DiscoveryDocuments.Group(group, versions));
                return;
            case ["apis", var g, var v]:
                if (!cluster.Catalog.Serves(g, v)) throw ApiException.PageNotFound();
                await exchange.Respond(200, DiscoveryDocuments.ResourceList(cluster.Catalog, g, v));
                return;
            case ["openapi", "v3", ..]:
                await ServeOpenApiV3(exchange, string.Join('/', segments[2..]));
                return;
            case ["openapi", "v2"]:
                // Like a server without the legacy document: kubectl 1.32 uses v3 for explain, validation and apply.
                throw ApiException.NotFoundPath();
            case ["", ] or []:
                await exchange.Respond(200, new JsonObject
                {
                    ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"),
                });
                return;
            default:
                throw ApiException.PageNotFound();
        }
    }

    async Task ServeOpenApiV3(Exchange exchange, string path)
    {
        var http = exchange.Http;
        exchange.Code = 200;
        if (path.Length == 0)
        {
            var index = OpenApiDocuments.Index(IsServed);
            var withCrds = CustomResourceOpenApi.AddToIndex(index, cluster.Catalog);
            await Responses.WriteBytes(http, 200, withCrds, Responses.Json);
            return;
        }
        if (CustomResourceOpenApi.Document(path, cluster) is { } crdDocument)
        {
            await Responses.WriteBytes(http, 200, crdDocument, Responses.Json);
            return;
        }
        if (!OpenApiDocuments.FilesByPath.TryGetValue(path, out var file) || !IsServed(path)) throw ApiException.NotFoundPath();
        http.Response.Headers.ETag = "\"" + OpenApiDocuments.Hash(file) + "\"";
        http.Response.Headers.CacheControl = "public, immutable";
        await Responses.WriteBytes(http, 200, await File.ReadAllBytesAsync(file, http.RequestAborted), Responses.Json);
    }

    static bool IsServed(string path)
    {
        var segments = path.Split('/');
        return segments switch
        {
            ["apis", var g, var v] => BuiltinResources.IsServedGroupVersion(g, v),
            ["apis", var g] => BuiltinResources.All.Any(t => t.Group == g),
            _ => true,
        };
    }
}
