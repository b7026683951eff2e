using Cocktail.KubeSim.Auth;

namespace Cocktail.KubeSim.Rbac;

/// <summary>authorizer.Attributes: who wants to do what to which resource (or non-resource path).</summary>
public sealed record AuthorizationAttributes(
    UserInfo User,
    string Verb,
    bool IsResourceRequest,
    string ApiGroup = "",
    string Resource = "",
    string Subresource = "",
    string Namespace = "",
    string Name = "",
    string Path = "")
{
    /// <summary>The sentence the apiserver uses in its 403 message, e.g. <c>User "x" cannot list resource "pods" ...</c>.</summary>
    public string DenialMessage()
    {
        if (!IsResourceRequest) return $"User \"{User.Name}\" cannot {Verb} path \"{Path}\"";
        var resource = Subresource.Length > 0 ? $"{Resource}/{Subresource}" : Resource;
        return Namespace.Length > 0
            ? $"User \"{User.Name}\" cannot {Verb} resource \"{resource}\" in API group \"{ApiGroup}\" in the namespace \"{Namespace}\""
            : $"User \"{User.Name}\" cannot {Verb} resource \"{resource}\" in API group \"{ApiGroup}\" at the cluster scope";
    }
}
