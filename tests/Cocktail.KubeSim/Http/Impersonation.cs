using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Rbac;
using Microsoft.AspNetCore.Http;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// Impersonate-User / Impersonate-Group headers (kubectl --as): allowed when the caller may "impersonate" the
/// user (and each group); the request then runs as the impersonated identity, and audit shows both.
/// </summary>
internal static class Impersonation
{
    public static void Apply(HttpContext http, Exchange exchange, ClusterRuntime cluster)
    {
        var user = http.Request.Headers["Impersonate-User"].ToString();
        if (user.Length == 0) return;
        var groups = http.Request.Headers["Impersonate-Group"].Select(g => g ?? "").Where(g => g.Length > 0).ToList();
        var caller = exchange.User!;
        void Require(string resource, string name)
        {
            var attributes = new AuthorizationAttributes(caller, "impersonate", true, "", resource, "", "", name);
            if (!cluster.Authorizer.IsAllowed(attributes))
                throw ApiException.Forbidden("", resource, name, attributes.DenialMessage());
        }
        Require(user.StartsWith("system:serviceaccount:", StringComparison.Ordinal) ? "serviceaccounts" : "users", user);
        foreach (var g in groups) Require("groups", g);
        exchange.AuthenticatedAs = caller;
        exchange.User = UserInfo.Authenticated(user, groups);
    }
}
