using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Logs;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Http;

/// <summary>status, scale, log, exec, token, binding and finalize subresources.</summary>
internal sealed class SubresourceEndpoints(ClusterRuntime cluster)
{
    readonly PatchEndpoint _patch = new(cluster);
    readonly TokenRequestEndpoint _tokens = new(cluster);
    readonly Exec.ExecEndpoint _exec = new(cluster);

    ObjectRegistry Registry => cluster.Registry;

    public async Task Serve(Exchange exchange, ResourceType type, Subresource sub)
    {
        var info = exchange.Info!;
        switch (sub.Name, info.Verb)
        {
            case ("status", "get"):
                await exchange.Respond(200, Registry.Get(type, info.Namespace, info.Name));
                break;
            case ("status" or "finalize", "update"):
                var body = await RequestBody.ReadObject(exchange.Http);
                exchange.RequestObject = body;
                await exchange.Respond(200, sub.Name == "finalize"
                    ? Finalize(exchange, type, body)
                    : Registry.Update(type, info.Namespace, info.Name, body, QueryOptions.Write(exchange.Http, exchange.User!), "status"));
                break;
            case ("status", "patch"):
                await _patch.Serve(exchange, type, "status");
                break;
            case ("scale", _):
                await ServeScale(exchange, type);
                break;
            case ("exec", "get"):
                await _exec.Serve(exchange, type);
                break;
            case ("exec", "create"):
                // SPDY (POST + Upgrade: SPDY/3.1) is not spoken; clients fall back to nothing, so say what is wanted.
                throw ApiException.BadRequest("Upgrade request required");
            case ("log", "get"):
                await ServeLog(exchange, type);
                break;
            case ("token", "create"):
                await _tokens.Serve(exchange, type);
                break;
            case ("binding", "create"):
                await Bind(exchange, type);
                break;
            case ("eviction", "create"):
                exchange.RequestObject = await RequestBody.ReadObject(exchange.Http);
                Registry.Delete(type, info.Namespace, info.Name, new DeleteOptions(QueryOptions.Write(exchange.Http, exchange.User!)));
                await exchange.Respond(201, Responses.Success(201));
                break;
            default:
                throw ApiException.MethodNotAllowed();
        }
    }

    JsonObject Finalize(Exchange exchange, ResourceType type, JsonObject body) =>
        Registry.Mutate(type, "", exchange.Info!.Name, QueryOptions.Write(exchange.Http, exchange.User!), "finalize", current =>
        {
            current.Obj("spec")["finalizers"] = body.At("spec", "finalizers")?.DeepClone() ?? new JsonArray();
            return current;
        });

    /// <summary>autoscaling/v1 Scale: a view of spec.replicas and status.replicas/selector.</summary>
    async Task ServeScale(Exchange exchange, ResourceType type)
    {
        var info = exchange.Info!;
        var http = exchange.Http;
        if (info.Verb == "get")
        {
            await exchange.Respond(200, ToScale(Registry.Get(type, info.Namespace, info.Name)));
            return;
        }
        var text = await RequestBody.ReadText(http);
        var body = RequestBody.Parse(text, http.Request.ContentType ?? "") ?? throw ApiException.BadRequest("empty body");
        exchange.RequestObject = body;
        var options = QueryOptions.Write(http, exchange.User!);
        var updated = Registry.Mutate(type, info.Namespace, info.Name, options, "scale", current =>
        {
            var scale = ToScale(current);
            var desired = info.Verb switch
            {
                "update" => (JsonObject)body,
                _ => ((http.Request.ContentType ?? "").Split(';')[0]) switch
                {
                    PatchEndpoint.JsonPatchType => (JsonObject)Patch.JsonPatch.Apply(scale, (JsonArray)body),
                    PatchEndpoint.StrategicPatchType => Patch.StrategicMergePatch.Apply(scale, (JsonObject)body),
                    _ => (JsonObject)Patch.JsonMergePatch.Apply(scale, body)!,
                },
            };
            var rv = desired.Str("metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != current.Str("metadata", "resourceVersion"))
                throw ApiException.Conflict(type.Group, type.Resource, info.Name, ApiException.StaleObjectMessage);
            var replicas = desired.Long("spec", "replicas") ?? 0;
            if (replicas < 0)
                throw ApiException.Invalid("autoscaling", "Scale", info.Name,
                    [new FieldError("spec.replicas", "FieldValueInvalid", $"Invalid value: {replicas}: must be greater than or equal to 0")]);
            current.Obj("spec")["replicas"] = replicas;
            current.Meta().Remove("resourceVersion");
            return current;
        });
        await exchange.Respond(200, ToScale(updated));
    }

    static JsonObject ToScale(JsonObject obj)
    {
        var status = new JsonObject { ["replicas"] = obj.Long("status", "replicas") ?? 0 };
        if (obj.At("spec", "selector") is JsonObject selector)
            status["selector"] = string.Join(",", selector["matchLabels"].StringMap().OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = obj.Name(), ["namespace"] = obj.Namespace(), ["uid"] = obj.Uid(),
                ["resourceVersion"] = obj.Str("metadata", "resourceVersion"),
                ["creationTimestamp"] = obj.Str("metadata", "creationTimestamp"),
            },
            ["spec"] = new JsonObject { ["replicas"] = obj.Long("spec", "replicas") ?? 0 },
            ["status"] = status,
        };
    }

    async Task ServeLog(Exchange exchange, ResourceType type)
    {
        var http = exchange.Http;
        var info = exchange.Info!;
        var pod = Registry.Get(type, info.Namespace, info.Name);
        var (container, startedAt, terminated) = QueryOptions.Flag(http, "previous")
            ? PodLogs.ResolvePrevious(pod, QueryOptions.Get(http, "container"))
            : PodLogs.ResolveCurrent(pod, QueryOptions.Get(http, "container"));
        var query = new PodLogs.LogQuery(container, QueryOptions.Flag(http, "follow"),
            long.TryParse(QueryOptions.Get(http, "tailLines"), out var tail) ? tail : null,
            QueryOptions.Flag(http, "timestamps"),
            long.TryParse(QueryOptions.Get(http, "sinceSeconds"), out var since) ? since : null,
            long.TryParse(QueryOptions.Get(http, "limitBytes"), out var limit) ? limit : null);
        exchange.Code = 200;
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/plain";
        await http.Response.StartAsync(http.RequestAborted);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, cluster.Stopping);
        var endedAt = terminated;
        try
        {
            var follow = cluster.Logs.Write(http.Response.Body, pod, startedAt, query, endedAt, stop.Token);
            if (query.Follow) _ = StopWhenPodGoes(type, info, stop);
            await follow;
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    /// <summary>Follow mode ends when the pod is deleted, as the kubelet closes the stream.</summary>
    async Task StopWhenPodGoes(ResourceType type, RequestInfo info, CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(200, stop.Token); }
            catch (OperationCanceledException) { return; }
            if (Registry.TryGet(type, info.Namespace, info.Name) is null) { await stop.CancelAsync(); return; }
        }
    }

    async Task Bind(Exchange exchange, ResourceType type)
    {
        var info = exchange.Info!;
        var binding = await RequestBody.ReadObject(exchange.Http);
        exchange.RequestObject = binding;
        var node = binding.Str("target", "name") ?? throw ApiException.Invalid("", "Binding", info.Name, [FieldError.Required("target.name")]);
        Registry.Mutate(type, info.Namespace, info.Name, QueryOptions.Write(exchange.Http, exchange.User!), "binding", pod =>
        {
            if (pod.Str("spec", "nodeName") is { Length: > 0 } bound)
                throw ApiException.Conflict("", "pods", info.Name, $"pod {info.Name} is already assigned to node \"{bound}\"");
            pod.Obj("spec")["nodeName"] = node;
            return pod;
        });
        await exchange.Respond(201, Responses.Success(201));
    }
}
