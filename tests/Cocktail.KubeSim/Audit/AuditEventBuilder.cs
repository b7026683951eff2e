using System.Text.Json.Nodes;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Audit;

/// <summary>Builds audit.k8s.io/v1 Event objects with the fields a kube-apiserver fills in.</summary>
public static class AuditEventBuilder
{
    public static JsonObject Build(
        AuditLevel level, string stage, string auditId, string requestUri, string verb, UserInfo? user,
        UserInfo? impersonated, string sourceIp, string? userAgent, RequestInfo? info, int? code,
        ApiException? failure, JsonNode? requestObject, JsonNode? responseObject,
        DateTimeOffset received, DateTimeOffset stageTime, bool? allowed)
    {
        var e = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = level.ToString(),
            ["auditID"] = auditId,
            ["stage"] = stage,
            ["requestURI"] = requestUri,
            ["verb"] = verb,
            ["user"] = UserJson(user ?? UserInfo.Anonymous),
        };
        if (impersonated is not null) e["impersonatedUser"] = UserJson(impersonated);
        e["sourceIPs"] = new JsonArray(sourceIp);
        if (!string.IsNullOrEmpty(userAgent)) e["userAgent"] = userAgent;
        if (info is { IsResourceRequest: true })
        {
            var objectRef = new JsonObject { ["resource"] = info.Resource };
            if (info.Namespace.Length > 0 && info.Resource != "namespaces") objectRef["namespace"] = info.Namespace;
            // Like the apiserver's audit.LogRequestObject: a create names no object in its URL, so the decoded
            // body's metadata completes the reference (at Metadata level and above).
            var name = info.Name.Length > 0 ? info.Name : requestObject?["metadata"]?["name"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(name)) objectRef["name"] = name;
            if (info.Group.Length > 0) objectRef["apiGroup"] = info.Group;
            objectRef["apiVersion"] = info.Version;
            if (info.Subresource.Length > 0) objectRef["subresource"] = info.Subresource;
            e["objectRef"] = objectRef;
        }
        if (code is { } c)
        {
            var status = new JsonObject { ["metadata"] = new JsonObject() };
            if (failure is not null)
            {
                status["status"] = "Failure";
                status["message"] = failure.Message;
                status["reason"] = failure.Reason;
            }
            status["code"] = c;
            e["responseStatus"] = status;
        }
        if (level >= AuditLevel.Request && requestObject is not null) e["requestObject"] = requestObject.DeepClone();
        if (level >= AuditLevel.RequestResponse && responseObject is not null && stage == "ResponseComplete")
            e["responseObject"] = responseObject.DeepClone();
        e["requestReceivedTimestamp"] = ObjectMetadata.MicroTimestamp(received);
        e["stageTimestamp"] = ObjectMetadata.MicroTimestamp(stageTime);
        if (allowed is { } a)
            e["annotations"] = new JsonObject
            {
                ["authorization.k8s.io/decision"] = a ? "allow" : "forbid",
                ["authorization.k8s.io/reason"] = a && user?.IsMaster == false ? "RBAC: allowed by ClusterRoleBinding or RoleBinding" : "",
            };
        return e;
    }

    static JsonObject UserJson(UserInfo user)
    {
        var o = new JsonObject { ["username"] = user.Name };
        if (user.Uid.Length > 0) o["uid"] = user.Uid;
        o["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g!).ToArray());
        if (user.Extra.Count > 0)
            o["extra"] = new JsonObject(user.Extra.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value.Select(v => (JsonNode)v!).ToArray()))));
        return o;
    }
}
