using Cocktail.KubeSim.Discovery;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// What a URL addresses, decoded like the apiserver's RequestInfoFactory: a resource request
/// (/api/v1/namespaces/ns/pods/name/log) with its verb, or a non-resource path (/version, /openapi/v3).
/// </summary>
public sealed record RequestInfo(
    bool IsResourceRequest,
    string Path,
    string Verb,
    string Group = "",
    string Version = "",
    string Resource = "",
    string Subresource = "",
    string Namespace = "",
    string Name = "")
{
    public ResourceType? Type { get; init; }

    /// <summary>/api/v1/..., /apis/group/version/... Anything else (or a prefix such as /apis/apps) is non-resource.</summary>
    public static RequestInfo Parse(string method, string path, bool isWatch, ResourceCatalog catalog)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        int rest;
        if (segments is ["api", var v, _, ..]) { group = ""; version = v; rest = 2; }
        else if (segments is ["apis", var g, var v2, _, ..]) { group = g; version = v2; rest = 3; }
        else return new RequestInfo(false, path, method.ToLowerInvariant());

        var parts = segments[rest..];
        // The deprecated /watch/ prefix: /api/v1/watch/namespaces/x/pods
        if (parts is ["watch", ..]) { parts = parts[1..]; isWatch = true; }
        string ns = "", resource, name = "", subresource = "";
        if (parts is ["namespaces", var nsName, var r, ..] && catalog.Find(group, version, r) is { Namespaced: true })
        {
            ns = nsName;
            resource = r;
            parts = parts[3..];
        }
        else
        {
            resource = parts[0];
            parts = parts[1..];
            if (resource == "namespaces" && parts.Length > 0) ns = parts[0];
        }
        if (parts.Length > 0) name = parts[0];
        if (parts.Length > 1) subresource = parts[1];
        // services/x/proxy/path...: the subresource is "proxy" (RBAC services/proxy) and the rest is the proxied path.
        if (parts.Length > 2) subresource = parts[1] == "proxy" ? "proxy" : string.Join('/', parts[1..]);

        var verb = (method, name.Length > 0) switch
        {
            ("GET" or "HEAD", true) => isWatch ? "watch" : "get",
            ("GET" or "HEAD", false) => isWatch ? "watch" : "list",
            ("POST", _) => "create",
            ("PUT", _) => "update",
            ("PATCH", _) => "patch",
            ("DELETE", true) => "delete",
            ("DELETE", false) => "deletecollection",
            _ => method.ToLowerInvariant(),
        };
        return new RequestInfo(true, path, verb, group, version, resource, subresource, ns, name)
        {
            Type = catalog.Find(group, version, resource),
        };
    }
}
