using System.Net;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>RBAC as the apiserver evaluates it, seen through a ServiceAccount's token.</summary>
[Collection(ContractCollection.Name)]
public sealed class AuthorizationContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    async Task<(string Ns, IKubernetes AsRobot)> RobotIn(string prefix)
    {
        var ns = await cluster.NewNamespaceAsync(prefix);
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, ns);
        var token = (await Client.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "robot", ns)).Status.Token;
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.KubeconfigPath);
        config.AccessToken = token;
        config.ClientCertificateData = config.ClientCertificateKeyData = config.ClientCertificateFilePath = config.ClientKeyFilePath = null;
        config.TokenProvider = null;
        return (ns, new Kubernetes(config));
    }

    Task Bind(string ns, string roleKind, string roleName) =>
        Client.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = $"robot-{roleName}" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = roleKind, Name = roleName },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot", NamespaceProperty = ns }],
        }, ns);

    [Fact]
    public async Task without_a_binding_a_list_is_403_with_the_real_message()
    {
        var (ns, robot) = await RobotIn("rbac");
        using var _ = robot;
        var error = await ApiError.From(() => robot.CoreV1.ListNamespacedPodAsync(ns));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("Forbidden", error.Reason);
        Assert.Equal($"pods is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"", error.Message);
        var clusterScoped = await ApiError.From(() => robot.CoreV1.ListNamespaceAsync());
        Assert.Equal($"namespaces is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope", clusterScoped.Message);
        var named = await ApiError.From(() => robot.AppsV1.ReadNamespacedDeploymentAsync("web", ns));
        Assert.Equal($"deployments.apps \"web\" is forbidden: User \"system:serviceaccount:{ns}:robot\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"{ns}\"", named.Message);
    }

    [Fact]
    public async Task a_role_binding_grants_exactly_the_verbs_and_resources_of_its_role()
    {
        var (ns, robot) = await RobotIn("rbac");
        using var _ = robot;
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "pod-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list"] }],
        }, ns);
        await Bind(ns, "Role", "pod-reader");
        await Eventually.Until(async () => (await ApiError.From(() => robot.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("x"), ns))).StatusCode == HttpStatusCode.Forbidden);
        await Eventually.Until(async () => { try { await robot.CoreV1.ListNamespacedPodAsync(ns); return true; } catch (k8s.Autorest.HttpOperationException) { return false; } });
        var logs = await ApiError.From(() => robot.CoreV1.ReadNamespacedPodLogAsync("any", ns));
        Assert.Equal(HttpStatusCode.Forbidden, logs.StatusCode);
        Assert.Contains("cannot get resource \"pods/log\" in API group \"\"", logs.Message);
    }

    [Fact]
    public async Task a_cluster_role_bound_by_a_role_binding_applies_only_in_that_namespace()
    {
        var (ns, robot) = await RobotIn("rbac");
        using var _ = robot;
        await Bind(ns, "ClusterRole", "view");
        await Eventually.Until(async () => { try { await robot.AppsV1.ListNamespacedDeploymentAsync(ns); return true; } catch (k8s.Autorest.HttpOperationException) { return false; } });
        var elsewhere = await ApiError.From(() => robot.AppsV1.ListNamespacedDeploymentAsync("default"));
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        var secrets = await ApiError.From(() => robot.CoreV1.ListNamespacedSecretAsync(ns));
        Assert.Equal(HttpStatusCode.Forbidden, secrets.StatusCode);
    }

    [Fact]
    public async Task resource_names_restrict_a_rule_to_the_named_objects()
    {
        var (ns, robot) = await RobotIn("rbac");
        using var _ = robot;
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("allowed"), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Manifests.ConfigMap("denied"), ns);
        await Client.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "one-config" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], ResourceNames = ["allowed"], Verbs = ["get"] }],
        }, ns);
        await Bind(ns, "Role", "one-config");
        await Eventually.Until(async () => { try { await robot.CoreV1.ReadNamespacedConfigMapAsync("allowed", ns); return true; } catch (k8s.Autorest.HttpOperationException) { return false; } });
        Assert.Equal(HttpStatusCode.Forbidden, (await ApiError.From(() => robot.CoreV1.ReadNamespacedConfigMapAsync("denied", ns))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ApiError.From(() => robot.CoreV1.ListNamespacedConfigMapAsync(ns))).StatusCode);
    }

    [Fact]
    public async Task self_subject_access_review_answers_from_the_same_rules()
    {
        var (ns, robot) = await RobotIn("rbac");
        using var _ = robot;
        await Bind(ns, "ClusterRole", "edit");
        async Task<bool> Can(string verb, string resource, string group = "", string? subresource = null) =>
            (await robot.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(new V1SelfSubjectAccessReview
            {
                Spec = new V1SelfSubjectAccessReviewSpec
                {
                    ResourceAttributes = new V1ResourceAttributes { Verb = verb, Resource = resource, Group = group, Subresource = subresource, NamespaceProperty = ns },
                },
            })).Status.Allowed;
        await Eventually.Until(() => Can("create", "deployments", "apps"));
        Assert.True(await Can("get", "pods", subresource: "log"));
        Assert.False(await Can("create", "roles", "rbac.authorization.k8s.io"));
        Assert.False(await Can("delete", "nodes"));
    }

    [Fact]
    public async Task the_default_cluster_roles_exist_with_their_aggregation_labels()
    {
        var roles = (await Client.RbacAuthorizationV1.ListClusterRoleAsync()).Items.ToDictionary(r => r.Metadata.Name);
        Assert.Contains("cluster-admin", roles.Keys);
        Assert.Contains("admin", roles.Keys);
        Assert.Equal("true", roles["edit"].Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-admin"]);
        Assert.Equal("true", roles["view"].Metadata.Labels["rbac.authorization.k8s.io/aggregate-to-edit"]);
        Assert.Contains(roles["cluster-admin"].Rules, r => r.Verbs.Contains("*") && r.Resources?.Contains("*") == true);
    }
}
