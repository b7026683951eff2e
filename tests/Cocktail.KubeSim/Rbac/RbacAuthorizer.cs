using System.Text.Json.Nodes;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Rbac;

/// <summary>
/// RBAC as the apiserver evaluates it: system:masters short-circuits, then every ClusterRoleBinding and every
/// RoleBinding of the request's namespace whose subjects include the user contributes its role's rules.
/// </summary>
public sealed class RbacAuthorizer(ObjectStore store)
{
    public const string Group = "rbac.authorization.k8s.io";
    const string RolesKey = Group + "/roles";
    const string ClusterRolesKey = Group + "/clusterroles";
    const string RoleBindingsKey = Group + "/rolebindings";
    const string ClusterRoleBindingsKey = Group + "/clusterrolebindings";

    public bool IsAllowed(AuthorizationAttributes attributes)
    {
        if (attributes.User.IsMaster) return true;
        foreach (var rule in RulesFor(attributes.User, attributes.Namespace))
            if (rule.Allows(attributes)) return true;
        return false;
    }

    /// <summary>Every rule that applies to the user in the namespace (cluster-wide rules included).</summary>
    public IEnumerable<PolicyRule> RulesFor(UserInfo user, string ns)
    {
        foreach (var binding in store.List(ClusterRoleBindingsKey, null).Items)
        {
            var b = binding.Parse();
            if (!Binds(b, user, "")) continue;
            foreach (var rule in RoleRules(b, ""))
                yield return rule;
        }
        if (ns.Length == 0) yield break;
        foreach (var binding in store.List(RoleBindingsKey, ns).Items)
        {
            var b = binding.Parse();
            if (!Binds(b, user, ns)) continue;
            foreach (var rule in RoleRules(b, ns))
                yield return rule;
        }
    }

    IEnumerable<PolicyRule> RoleRules(JsonObject binding, string ns)
    {
        var roleName = binding.Str("roleRef", "name") ?? "";
        var role = binding.Str("roleRef", "kind") switch
        {
            "ClusterRole" => store.Get(ClusterRolesKey, "", roleName),
            "Role" when ns.Length > 0 => store.Get(RolesKey, ns, roleName),
            _ => null,
        };
        if (role is null) return [];
        return role.Parse()["rules"].Objects().Select(PolicyRule.FromJson).ToList();
    }

    static bool Binds(JsonObject binding, UserInfo user, string bindingNamespace)
    {
        foreach (var subject in binding["subjects"].Objects())
        {
            var name = subject.Str("name") ?? "";
            switch (subject.Str("kind"))
            {
                case "User" when name == user.Name:
                case "Group" when user.Groups.Contains(name):
                    return true;
                case "ServiceAccount":
                    var saNamespace = subject.Str("namespace") ?? bindingNamespace;
                    if (user.Name == $"system:serviceaccount:{saNamespace}:{name}") return true;
                    break;
            }
        }
        return false;
    }
}
