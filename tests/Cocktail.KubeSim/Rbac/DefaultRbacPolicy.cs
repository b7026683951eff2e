using System.Text.Json.Nodes;

namespace Cocktail.KubeSim.Rbac;

/// <summary>
/// The bootstrap policy a fresh cluster starts with (plugin/pkg/auth/authorizer/rbac/bootstrappolicy): the
/// user-facing roles admin/edit/view/cluster-admin with their aggregated rules flattened, and the discovery and
/// public-info roles every user gets.
/// </summary>
public static class DefaultRbacPolicy
{
    static readonly string[] Read = ["get", "list", "watch"];
    static readonly string[] Write = ["create", "delete", "deletecollection", "patch", "update"];

    static PolicyRule R(string[] groups, string[] resources, string[] verbs) => new(verbs, groups, resources, [], []);
    static PolicyRule Urls(string[] urls, string[] verbs) => new(verbs, [], [], [], urls);

    static IEnumerable<PolicyRule> ViewRules() =>
    [
        R([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
            "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], Read),
        R([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
            "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], Read),
        R([""], ["namespaces"], Read),
        R(["discovery.k8s.io"], ["endpointslices"], Read),
        R(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
            "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
            "statefulsets/scale", "statefulsets/status"], Read),
        R(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], Read),
        R(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], Read),
        R(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], Read),
        R(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], Read),
        R(["metrics.k8s.io"], ["pods", "nodes"], Read),
    ];

    static IEnumerable<PolicyRule> EditRules() =>
    [
        .. ViewRules(),
        R([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], Read),
        R([""], ["serviceaccounts"], ["impersonate"]),
        R([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], Write),
        R([""], ["pods/eviction"], ["create"]),
        R([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
            "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], Write),
        R([""], ["serviceaccounts/token"], ["create"]),
        R(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
            "replicasets/scale", "statefulsets", "statefulsets/scale"], Write),
        R(["autoscaling"], ["horizontalpodautoscalers"], Write),
        R(["batch"], ["cronjobs", "jobs"], Write),
        R(["networking.k8s.io"], ["ingresses", "networkpolicies"], Write),
        R(["policy"], ["poddisruptionbudgets"], Write),
        R(["discovery.k8s.io"], ["endpointslices"], Write),
    ];

    static IEnumerable<PolicyRule> AdminRules() =>
    [
        .. EditRules(),
        R(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
        R([Group], ["rolebindings", "roles"], [.. Write, .. Read]),
    ];

    const string Group = RbacAuthorizer.Group;

    public static IEnumerable<JsonObject> ClusterRoles()
    {
        yield return Role("cluster-admin", [R(["*"], ["*"], ["*"]), Urls(["*"], ["*"])]);
        // view aggregates into edit and edit into admin, which is what these labels say on a real cluster.
        yield return Role("admin", AdminRules());
        yield return Role("edit", EditRules(), aggregateTo: "admin");
        yield return Role("view", ViewRules(), aggregateTo: "edit");
        yield return Role("system:discovery", [Urls(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
            "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], ["get"])]);
        yield return Role("system:public-info-viewer", [Urls(["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])]);
        yield return Role("system:basic-user", [R(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
            R(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])]);
    }

    public static IEnumerable<JsonObject> ClusterRoleBindings()
    {
        yield return Binding("cluster-admin", "cluster-admin", ("Group", "system:masters"));
        yield return Binding("system:discovery", "system:discovery", ("Group", "system:authenticated"));
        yield return Binding("system:basic-user", "system:basic-user", ("Group", "system:authenticated"));
        yield return Binding("system:public-info-viewer", "system:public-info-viewer",
            ("Group", "system:authenticated"), ("Group", "system:unauthenticated"));
    }

    static JsonObject BootstrapMetadata(string name, string? aggregateTo = null)
    {
        var labels = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };
        if (aggregateTo is not null) labels[$"rbac.authorization.k8s.io/aggregate-to-{aggregateTo}"] = "true";
        return new JsonObject
        {
            ["name"] = name,
            ["labels"] = labels,
            ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
        };
    }

    static JsonObject Role(string name, IEnumerable<PolicyRule> rules, string? aggregateTo = null) => new()
    {
        ["kind"] = "ClusterRole",
        ["apiVersion"] = $"{Group}/v1",
        ["metadata"] = BootstrapMetadata(name, aggregateTo),
        ["rules"] = new JsonArray(rules.Select(r => (JsonNode)r.ToJson()).ToArray()),
    };

    static JsonObject Binding(string name, string role, params (string Kind, string Name)[] subjects) => new()
    {
        ["kind"] = "ClusterRoleBinding",
        ["apiVersion"] = $"{Group}/v1",
        ["metadata"] = BootstrapMetadata(name),
        ["roleRef"] = new JsonObject { ["apiGroup"] = Group, ["kind"] = "ClusterRole", ["name"] = role },
        ["subjects"] = new JsonArray(subjects.Select(s => (JsonNode)new JsonObject
        {
            ["apiGroup"] = Group, ["kind"] = s.Kind, ["name"] = s.Name,
        }).ToArray()),
    };
}
