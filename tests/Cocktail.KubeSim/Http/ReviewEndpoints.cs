using System.Text.Json.Nodes;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Rbac;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// The create-only review resources, answered from the same authenticator and authorizer the server uses:
/// SelfSubjectAccessReview (kubectl auth can-i), SubjectAccessReview, LocalSubjectAccessReview,
/// SelfSubjectRulesReview, TokenReview and SelfSubjectReview (kubectl auth whoami).
/// </summary>
internal sealed class ReviewEndpoints(ClusterRuntime cluster)
{
    public async Task Serve(Exchange exchange, ResourceType type)
    {
        var review = await RequestBody.ReadObject(exchange.Http);
        exchange.RequestObject = review;
        var status = type.Resource switch
        {
            "selfsubjectaccessreviews" => Access(exchange.User!, review, null),
            "subjectaccessreviews" => Access(SubjectOf(review), review, null),
            "localsubjectaccessreviews" => Access(SubjectOf(review), review, exchange.Info!.Namespace),
            "selfsubjectrulesreviews" => Rules(exchange.User!, review.Str("spec", "namespace") ?? ""),
            "tokenreviews" => TokenReview(review),
            "selfsubjectreviews" => new JsonObject { ["userInfo"] = UserJson(exchange.User!) },
            _ => throw ApiException.MethodNotAllowed(),
        };
        var response = new JsonObject
        {
            ["kind"] = type.Kind,
            ["apiVersion"] = type.GroupVersion,
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = review["spec"]?.DeepClone() ?? new JsonObject(),
            ["status"] = status,
        };
        if (type.Resource == "selfsubjectreviews") response.Remove("spec");
        await exchange.Respond(201, response);
    }

    static UserInfo SubjectOf(JsonObject review)
    {
        var spec = review["spec"];
        var groups = spec?["groups"] is JsonArray g ? g.Select(x => x!.GetValue<string>()).ToList() : [];
        return new UserInfo(spec.Str("user") ?? "", spec.Str("uid") ?? "", groups);
    }

    JsonObject Access(UserInfo user, JsonObject review, string? forcedNamespace)
    {
        var resource = review.At("spec", "resourceAttributes");
        var attributes = resource is not null
            ? new AuthorizationAttributes(user, resource.Str("verb") ?? "", true, resource.Str("group") ?? "",
                resource.Str("resource") ?? "", resource.Str("subresource") ?? "",
                forcedNamespace ?? resource.Str("namespace") ?? "", resource.Str("name") ?? "")
            : new AuthorizationAttributes(user, review.Str("spec", "nonResourceAttributes", "verb") ?? "", false,
                Path: review.Str("spec", "nonResourceAttributes", "path") ?? "");
        var allowed = cluster.Authorizer.IsAllowed(attributes);
        var status = new JsonObject { ["allowed"] = allowed };
        if (allowed && !user.IsMaster) status["reason"] = "RBAC: allowed by a RoleBinding or ClusterRoleBinding";
        return status;
    }

    JsonObject Rules(UserInfo user, string ns)
    {
        var rules = user.IsMaster
            ? [new PolicyRule(["*"], ["*"], ["*"], [], []), new PolicyRule(["*"], [], [], [], ["*"])]
            : cluster.Authorizer.RulesFor(user, ns).ToList();
        var resourceRules = new JsonArray();
        var nonResourceRules = new JsonArray();
        foreach (var rule in rules)
        {
            var json = rule.ToJson();
            if (rule.NonResourceUrls.Count > 0) nonResourceRules.Add(new JsonObject { ["verbs"] = json["verbs"]!.DeepClone(), ["nonResourceURLs"] = json["nonResourceURLs"]!.DeepClone() });
            else resourceRules.Add(json);
        }
        return new JsonObject { ["resourceRules"] = resourceRules, ["nonResourceRules"] = nonResourceRules, ["incomplete"] = false };
    }

    JsonObject TokenReview(JsonObject review)
    {
        var token = review.Str("spec", "token") ?? "";
        var audiences = review.At("spec", "audiences") is JsonArray { Count: > 0 } a
            ? a.Select(x => x!.GetValue<string>()).ToList()
            : TokenIssuer.ApiServerAudiences.ToList();
        var user = cluster.Authenticator.AuthenticateToken(token, audiences);
        if (user is null) return new JsonObject { ["user"] = new JsonObject(), ["error"] = "[invalid bearer token, service account token has been invalidated]" };
        return new JsonObject
        {
            ["authenticated"] = true,
            ["user"] = UserJson(user),
            ["audiences"] = new JsonArray(audiences.Select(x => (JsonNode)x!).ToArray()),
        };
    }

    static JsonObject UserJson(UserInfo user)
    {
        var o = new JsonObject
        {
            ["username"] = user.Name,
            ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g!).ToArray()),
        };
        if (user.Uid.Length > 0) o["uid"] = user.Uid;
        if (user.Extra.Count > 0)
            o["extra"] = new JsonObject(user.Extra.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value.Select(v => (JsonNode)v!).ToArray()))));
        return o;
    }
}
