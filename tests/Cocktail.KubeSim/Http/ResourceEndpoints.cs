using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Watch;

namespace Cocktail.KubeSim.Http;

/// <summary>Resource requests: CRUD, list and watch on any served resource, plus its subresources.</summary>
internal sealed class ResourceEndpoints(ClusterRuntime cluster)
{
    readonly PatchEndpoint _patch = new(cluster);
    readonly SubresourceEndpoints _subresources = new(cluster);
    readonly ReviewEndpoints _reviews = new(cluster);
    readonly MetricsEndpoints _metrics = new(cluster);
    readonly ProxyEndpoint _proxy = new(cluster);

    ObjectRegistry Registry => cluster.Registry;

    public async Task Serve(Exchange exchange)
    {
        var info = exchange.Info!;
        var type = info.Type ?? throw (cluster.Catalog.Serves(info.Group, info.Version) ? ApiException.NotFoundPath() : ApiException.PageNotFound());
        // A deprecated CRD version warns on every request to it, as the apiextensions crdHandler does.
        if (type.Custom?.DeprecationWarning is { } deprecation)
            exchange.Http.Response.Headers.Append("Warning", $"299 - \"{deprecation.Replace("\"", "\\\"")}\"");
        if (info.Subresource == "proxy" && type.Group.Length == 0 && type.Resource is "services" or "nodes")
        {
            await _proxy.Serve(exchange, type);
            return;
        }
        if (info.Subresource.Length > 0)
        {
            if (!type.Subresources.TryGetValue(info.Subresource, out var sub)) throw ApiException.NotFoundPath();
            if (!sub.Verbs.Contains(info.Verb)) throw ApiException.MethodNotAllowed();
            await _subresources.Serve(exchange, type, sub);
            return;
        }
        if (!type.Allows(info.Verb)) throw ApiException.MethodNotAllowed();
        if (type.Group == "metrics.k8s.io") { await _metrics.Serve(exchange, type); return; }
        if (type.IsVirtual) { await _reviews.Serve(exchange, type); return; }
        var http = exchange.Http;
        switch (info.Verb)
        {
            case "get":
                await RespondObject(exchange, type, Registry.Get(type, info.Namespace, info.Name));
                break;
            case "list":
                await List(exchange, type);
                break;
            case "watch":
                await Watch(exchange, type);
                break;
            case "create":
                var body = await RequestBody.ReadObject(http);
                exchange.RequestObject = body;
                var created = Registry.Create(type, info.Namespace, body, QueryOptions.Write(http, exchange.User!));
                await exchange.Respond(201, created);
                break;
            case "update":
                var replacement = await RequestBody.ReadObject(http);
                exchange.RequestObject = replacement;
                await exchange.Respond(200, Registry.Update(type, info.Namespace, info.Name, replacement, QueryOptions.Write(http, exchange.User!)));
                break;
            case "patch":
                await _patch.Serve(exchange, type, "");
                break;
            case "delete":
                var deleteOptions = await ReadDeleteOptions(exchange);
                await exchange.Respond(200, Registry.Delete(type, info.Namespace, info.Name, deleteOptions));
                break;
            case "deletecollection":
                var collectionOptions = await ReadDeleteOptions(exchange);
                await exchange.Respond(200, Registry.DeleteCollection(type, info.Namespace, QueryOptions.List(http, type), collectionOptions));
                break;
            default:
                throw ApiException.MethodNotAllowed();
        }
    }

    async Task List(Exchange exchange, ResourceType type)
    {
        var http = exchange.Http;
        var options = QueryOptions.List(http, type);
        var accept = http.Request.Headers.Accept.ToString();
        if (ContentNegotiation.WantsTable(accept) || cluster.Audit.Level >= Audit.AuditLevel.RequestResponse)
        {
            await RespondObject(exchange, type, Registry.List(type, exchange.Info!.Namespace, options));
            return;
        }
        ContentNegotiation.RequireJson(accept);
        exchange.Code = 200;
        await Responses.WriteBytes(http, 200, Registry.ListBytes(type, exchange.Info!.Namespace, options), Responses.Json);
    }

    async Task RespondObject(Exchange exchange, ResourceType type, JsonObject obj)
    {
        var accept = exchange.Http.Request.Headers.Accept.ToString();
        ContentNegotiation.RequireJson(accept);
        if (ContentNegotiation.WantsTable(accept))
        {
            var includeObject = QueryOptions.Get(exchange.Http, "includeObject") ?? "Metadata";
            await exchange.Respond(200, TableConverter.Convert(type, obj, includeObject, cluster.Time.GetUtcNow()));
            return;
        }
        await exchange.Respond(200, obj);
    }

    async Task Watch(Exchange exchange, ResourceType type)
    {
        var http = exchange.Http;
        var info = exchange.Info!;
        var filter = QueryOptions.List(http, type);
        if (info.Name.Length > 0) filter = filter with { Fields = Storage.FieldSelector.Parse($"metadata.name={info.Name}", type.Resource, type.Group) };
        var timeoutSeconds = QueryOptions.Get(http, "timeoutSeconds");
        var min = cluster.Options.WatchMinRequestTimeout;
        var timeout = long.TryParse(timeoutSeconds, out var t) && t > 0
            ? TimeSpan.FromSeconds(t)
            : min * (1 + Random.Shared.NextDouble());
        var request = new WatchRequest(type, info.Namespace, filter)
        {
            ResourceVersion = QueryOptions.Get(http, "resourceVersion"),
            AllowBookmarks = QueryOptions.Flag(http, "allowWatchBookmarks"),
            SendInitialEvents = QueryOptions.Flag(http, "sendInitialEvents"),
            Timeout = timeout,
        };
        exchange.Code = 200;
        if (request.ResourceVersion is { Length: > 0 } and not "0" && cluster.Faults.TakeExpiredWatch())
            request = request with { ForceExpired = true };
        await cluster.Watches.Serve(http, request, cluster.Stopping);
    }

    static async Task<DeleteOptions> ReadDeleteOptions(Exchange exchange)
    {
        var http = exchange.Http;
        var write = QueryOptions.Write(http, exchange.User!);
        var body = await RequestBody.ReadNode(http) as JsonObject;
        if (body is not null) exchange.RequestObject = body;
        if (body?.At("dryRun") is JsonArray dry && dry.Any(d => d?.GetValue<string>() == "All")) write = write with { DryRun = true };
        var grace = QueryOptions.Get(http, "gracePeriodSeconds");
        return new DeleteOptions(write)
        {
            PropagationPolicy = body.Str("propagationPolicy") ?? QueryOptions.Get(http, "propagationPolicy")
                                ?? (body.Bool("orphanDependents") == true ? "Orphan" : null),
            GracePeriodSeconds = body.Long("gracePeriodSeconds") ?? (long.TryParse(grace, out var g) ? g : null),
            PreconditionUid = body.Str("preconditions", "uid"),
            PreconditionResourceVersion = body.Str("preconditions", "resourceVersion"),
        };
    }
}

/// <summary>The Accept header rules: JSON (or a Table rendered as JSON) whenever the client can take it.</summary>
internal static class ContentNegotiation
{
    public static bool WantsTable(string accept) => accept.Contains("as=Table", StringComparison.Ordinal);

    /// <summary>A client that accepts only protobuf (or CBOR) gets 406; a real server would encode protobuf.</summary>
    public static void RequireJson(string accept)
    {
        if (string.IsNullOrEmpty(accept)) return;
        if (accept.Contains("json", StringComparison.OrdinalIgnoreCase) || accept.Contains("*/*", StringComparison.Ordinal) ||
            accept.Contains("yaml", StringComparison.OrdinalIgnoreCase)) return;
        throw ApiException.NotAcceptable("only the following media types are accepted: application/json, application/yaml");
    }
}
