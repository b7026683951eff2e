using System.Net;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>ResourceQuota, LimitRange, Pod Security and ValidatingAdmissionPolicy as clients experience them.</summary>
[Collection(ContractCollection.Name)]
public sealed class AdmissionContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    /// <summary>
    /// Creates the quota and waits until the resourcequota controller has written status.hard: admission enforces
    /// only that, so on a real cluster a pod created before the sync is admitted whatever the spec says.
    /// </summary>
    async Task Quota(string ns, Dictionary<string, string> hard)
    {
        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = "compute" },
            Spec = new V1ResourceQuotaSpec { Hard = hard.ToDictionary(h => h.Key, h => new ResourceQuantity(h.Value)) },
        }, ns);
        await Eventually.Get(() => Client.CoreV1.ReadNamespacedResourceQuotaAsync("compute", ns), q => q.Status?.Hard?.Count == hard.Count);
    }

    /// <summary>Simulator-only (a real cluster's controller cannot be held back): an unsynced quota does not restrict.</summary>
    [SkippableFact]
    public async Task a_quota_the_controller_has_not_synced_yet_is_not_enforced()
    {
        SimulatorOnly.Require();
        await using var sim = await KubeSimCluster.StartAsync(new KubeSimOptions { Name = "unsynced-quota", Controllers = false });
        using var client = ClusterUnderTest.ClientForYaml(sim.AdminKubeconfigYaml);
        await client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = "compute" },
            Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("0") } },
        }, "default");
        var pod = await client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("early", Manifests.Container(cpu: null, memory: null)), "default");
        Assert.Equal("early", pod.Metadata.Name);
    }

    [Fact]
    public async Task a_pod_over_quota_is_refused_with_exceeded_quota_and_the_numbers()
    {
        var ns = await cluster.NewNamespaceAsync("quota");
        await Quota(ns, new() { ["pods"] = "1", ["requests.cpu"] = "1" });
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("first", Manifests.Container(cpu: "600m")), ns);
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("second", Manifests.Container(cpu: "600m")), ns));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("pods \"second\" is forbidden: exceeded quota: compute, requested: pods=1,requests.cpu=600m, used: pods=1,requests.cpu=600m, limited: pods=1,requests.cpu=1", error.Message);
    }

    [Fact]
    public async Task quota_status_reports_hard_and_used()
    {
        var ns = await cluster.NewNamespaceAsync("quota");
        await Quota(ns, new() { ["pods"] = "5", ["requests.memory"] = "1Gi", ["count/configmaps"] = "10" });
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("p", Manifests.Container(memory: "256Mi")), ns);
        var quota = await Eventually.Get(() => Client.CoreV1.ReadNamespacedResourceQuotaAsync("compute", ns),
            q => q.Status?.Used?.TryGetValue("pods", out var used) == true && used.ToString() == "1");
        Assert.Equal("256Mi", quota.Status.Used["requests.memory"].ToString());
        Assert.Equal("1", quota.Status.Used["count/configmaps"].ToString()); // kube-root-ca.crt
        Assert.Equal("5", quota.Status.Hard["pods"].ToString());
    }

    [Fact]
    public async Task a_pod_without_requests_in_a_cpu_quota_namespace_must_specify_them()
    {
        var ns = await cluster.NewNamespaceAsync("quota");
        await Quota(ns, new() { ["requests.cpu"] = "2", ["limits.memory"] = "2Gi" });
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("bare", Manifests.Container(cpu: null, memory: null)), ns));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("pods \"bare\" is forbidden: failed quota: compute: must specify limits.memory for: app; requests.cpu for: app", error.Message);
    }

    [Fact]
    public async Task a_limit_range_fills_in_default_requests_and_limits()
    {
        var ns = await cluster.NewNamespaceAsync("limits");
        await Client.CoreV1.CreateNamespacedLimitRangeAsync(new V1LimitRange
        {
            Metadata = new V1ObjectMeta { Name = "defaults" },
            Spec = new V1LimitRangeSpec
            {
                Limits =
                [
                    new V1LimitRangeItem
                    {
                        Type = "Container",
                        DefaultProperty = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m"), ["memory"] = new("256Mi") },
                        DefaultRequest = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") },
                    },
                ],
            },
        }, ns);
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("defaulted", Manifests.Container(cpu: null, memory: null)), ns);
        var resources = pod.Spec.Containers[0].Resources;
        Assert.Equal("100m", resources.Requests["cpu"].ToString());
        Assert.Equal("256Mi", resources.Requests["memory"].ToString());
        Assert.Equal("500m", resources.Limits["cpu"].ToString());
        Assert.Equal("256Mi", resources.Limits["memory"].ToString());
    }

    static readonly Dictionary<string, string> Baseline = new() { ["pod-security.kubernetes.io/enforce"] = "baseline" };
    static readonly Dictionary<string, string> Restricted = new() { ["pod-security.kubernetes.io/enforce"] = "restricted" };

    [Fact]
    public async Task a_privileged_pod_in_a_baseline_namespace_violates_pod_security()
    {
        var ns = await cluster.NewNamespaceAsync("psa", Baseline);
        var container = Manifests.Container("c");
        container.SecurityContext = new V1SecurityContext { Privileged = true };
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("priv", container), ns));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal("pods \"priv\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"c\" must not set securityContext.privileged=true)", error.Message);
    }

    [Fact]
    public async Task host_namespaces_and_host_paths_violate_baseline_in_check_order()
    {
        var ns = await cluster.NewNamespaceAsync("psa", Baseline);
        var pod = Manifests.Pod("hosty", Manifests.Container("c"));
        pod.Spec.HostNetwork = true;
        pod.Spec.Volumes = [new V1Volume { Name = "root", HostPath = new V1HostPathVolumeSource { Path = "/" } }];
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(pod, ns));
        Assert.Equal("pods \"hosty\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true), hostPath volumes (volume \"root\")", error.Message);
    }

    [Fact]
    public async Task a_default_pod_violates_restricted_with_every_missing_setting()
    {
        var ns = await cluster.NewNamespaceAsync("psa", Restricted);
        var error = await ApiError.From(() => Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("plain", Manifests.Container("c")), ns));
        Assert.Equal("pods \"plain\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"c\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"c\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"c\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")", error.Message);
    }

    [Fact]
    public async Task a_compliant_pod_is_admitted_in_a_restricted_namespace()
    {
        var ns = await cluster.NewNamespaceAsync("psa", Restricted);
        var container = Manifests.Container("c");
        container.SecurityContext = new V1SecurityContext
        {
            AllowPrivilegeEscalation = false,
            RunAsNonRoot = true,
            Capabilities = new V1Capabilities { Drop = ["ALL"] },
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        };
        var pod = await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("good", container), ns);
        Assert.Equal("good", pod.Metadata.Name);
    }

    [Fact]
    public async Task a_deployment_whose_pods_violate_pod_security_is_admitted_but_reports_replica_failure()
    {
        var ns = await cluster.NewNamespaceAsync("psa", Baseline);
        var deployment = Manifests.Deployment("risky", 1);
        deployment.Spec.Template.Spec.Containers[0].SecurityContext = new V1SecurityContext { Privileged = true };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns);
        var failed = await Eventually.Get(() => Client.AppsV1.ReadNamespacedDeploymentAsync("risky", ns),
            d => d.Status?.Conditions?.Any(c => c.Type == "ReplicaFailure" && c.Status == "True") == true, because: "the replicaset controller cannot create the pod");
        var condition = failed.Status.Conditions.Single(c => c.Type == "ReplicaFailure");
        Assert.Equal("FailedCreate", condition.Reason);
        Assert.Contains("violates PodSecurity \"baseline:latest\": privileged", condition.Message);
    }

    [Fact]
    public async Task a_validating_admission_policy_denies_with_its_message()
    {
        var ns = await cluster.NewNamespaceAsync("vap", new Dictionary<string, string> { ["cocktail.io/replica-cap"] = "true" });
        var policyName = $"replica-cap-{ns}";
        await Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyAsync(new V1ValidatingAdmissionPolicy
        {
            Metadata = new V1ObjectMeta { Name = policyName },
            Spec = new V1ValidatingAdmissionPolicySpec
            {
                FailurePolicy = "Fail",
                MatchConstraints = new V1MatchResources
                {
                    ResourceRules = [new V1NamedRuleWithOperations { ApiGroups = ["apps"], ApiVersions = ["v1"], Operations = ["CREATE", "UPDATE"], Resources = ["deployments"] }],
                },
                Validations = [new V1Validation { Expression = "object.spec.replicas <= 5", Message = "at most 5 replicas" }],
            },
        });
        await Client.AdmissionregistrationV1.CreateValidatingAdmissionPolicyBindingAsync(new V1ValidatingAdmissionPolicyBinding
        {
            Metadata = new V1ObjectMeta { Name = policyName + "-binding" },
            Spec = new V1ValidatingAdmissionPolicyBindingSpec
            {
                PolicyName = policyName,
                ValidationActions = ["Deny"],
                MatchResources = new V1MatchResources { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = ns } } },
            },
        });
        try
        {
            // Policies take effect asynchronously on a real cluster: retry with fresh names until one is refused.
            var attempt = 0;
            string name;
            ApiError? error = null;
            await Eventually.Until(async () =>
            {
                name = $"big-{attempt++}";
                try { await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment(name, 10), ns); return false; }
                catch (k8s.Autorest.HttpOperationException) { error = await ApiError.From(() => Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment(name, 10), ns)); return true; }
            });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, error!.StatusCode);
            Assert.Equal("Invalid", error.Reason);
            Assert.Equal($"deployments.apps \"big-{attempt - 1}\" is forbidden: ValidatingAdmissionPolicy '{policyName}' with binding '{policyName}-binding' denied request: at most 5 replicas", error.Message);
            var small = await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("small", 0), ns);
            Assert.Equal("small", small.Metadata.Name);
        }
        finally
        {
            await Client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyBindingAsync(policyName + "-binding");
            await Client.AdmissionregistrationV1.DeleteValidatingAdmissionPolicyAsync(policyName);
        }
    }
}
