using System.Text;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>
/// kubectl's `create` generators send their objects as protobuf (application/vnd.kubernetes.protobuf); each object
/// must arrive with the fields the command set, read back through the JSON API.
/// </summary>
[Collection(ContractCollection.Name)]
public sealed class KubectlGeneratorsContract(ClusterUnderTest cluster)
{
    Task<Kubectl.Result> Run(string args) => Kubectl.Run(cluster.KubeconfigPath, args);

    static void Succeeded(Kubectl.Result r) => Assert.True(r.ExitCode == 0, $"kubectl failed ({r.ExitCode}): {r.Stderr}");

    [SkippableFact]
    public async Task kubectl_create_role_clusterrole_and_their_bindings()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kgen");
        var rbac = cluster.Client.RbacAuthorizationV1;
        Succeeded(await Run($"create role reader -n {ns} --verb=get,list --resource=pods,deployments.apps --resource-name=web"));
        var role = await rbac.ReadNamespacedRoleAsync("reader", ns);
        Assert.Equal(2, role.Rules.Count);
        Assert.Equal(["get", "list"], role.Rules[0].Verbs);
        Assert.Equal([""], role.Rules[0].ApiGroups);
        Assert.Equal(["pods"], role.Rules[0].Resources);
        Assert.Equal(["web"], role.Rules[0].ResourceNames);
        Assert.Equal(["apps"], role.Rules[1].ApiGroups);
        Assert.Equal(["deployments"], role.Rules[1].Resources);

        var clusterRole = $"{ns}-viewer";
        var aggregated = $"{ns}-aggregated";
        try
        {
            Succeeded(await Run($"create clusterrole {clusterRole} --verb=get --non-resource-url=/healthz --non-resource-url=/version"));
            var viewer = await rbac.ReadClusterRoleAsync(clusterRole);
            Assert.Equal(["get"], viewer.Rules.Single().Verbs);
            Assert.Equal(["/healthz", "/version"], viewer.Rules.Single().NonResourceURLs);
            Assert.Null(viewer.Rules.Single().Resources);
            Succeeded(await Run($"create clusterrole {aggregated} --aggregation-rule=example.com/aggregate-to-{ns}=true"));
            var aggregate = await rbac.ReadClusterRoleAsync(aggregated);
            Assert.Equal("true", aggregate.AggregationRule.ClusterRoleSelectors.Single().MatchLabels[$"example.com/aggregate-to-{ns}"]);

            Succeeded(await Run($"create rolebinding readers -n {ns} --role=reader --user=alice --group=devs --serviceaccount={ns}:robot"));
            var binding = await rbac.ReadNamespacedRoleBindingAsync("readers", ns);
            Assert.Equal(("rbac.authorization.k8s.io", "Role", "reader"), (binding.RoleRef.ApiGroup, binding.RoleRef.Kind, binding.RoleRef.Name));
            Assert.Equal(
                [("User", "rbac.authorization.k8s.io", "alice", null), ("Group", "rbac.authorization.k8s.io", "devs", null), ("ServiceAccount", "", "robot", ns)],
                binding.Subjects.Select(s => (s.Kind, s.ApiGroup ?? "", s.Name, s.NamespaceProperty)).ToList());

            Succeeded(await Run($"create clusterrolebinding {clusterRole} --clusterrole={clusterRole} --user=bob"));
            var clusterBinding = await rbac.ReadClusterRoleBindingAsync(clusterRole);
            Assert.Equal(("ClusterRole", clusterRole), (clusterBinding.RoleRef.Kind, clusterBinding.RoleRef.Name));
            Assert.Equal(("User", "bob"), (clusterBinding.Subjects.Single().Kind, clusterBinding.Subjects.Single().Name));
        }
        finally
        {
            await Run($"delete clusterrolebinding {clusterRole} --ignore-not-found");
            await Run($"delete clusterrole {clusterRole} {aggregated} --ignore-not-found");
        }
    }

    [SkippableFact]
    public async Task kubectl_create_quota_priorityclass_pdb_and_ingress()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kgen");
        Succeeded(await Run($"create quota compute -n {ns} --hard=pods=10,requests.cpu=2,limits.memory=1Gi --scopes=NotTerminating"));
        var quota = await cluster.Client.CoreV1.ReadNamespacedResourceQuotaAsync("compute", ns);
        Assert.Equal("10", quota.Spec.Hard["pods"].ToString());
        Assert.Equal("2", quota.Spec.Hard["requests.cpu"].ToString());
        Assert.Equal("1Gi", quota.Spec.Hard["limits.memory"].ToString());
        Assert.Equal(["NotTerminating"], quota.Spec.Scopes);

        var priorityClass = $"{ns}-batch";
        try
        {
            Succeeded(await Run($"create priorityclass {priorityClass} --value=1000 --description=nightly --preemption-policy=Never"));
            var created = await cluster.Client.SchedulingV1.ReadPriorityClassAsync(priorityClass);
            Assert.Equal(1000, created.Value);
            Assert.Equal("nightly", created.Description);
            Assert.Equal("Never", created.PreemptionPolicy);
            Assert.NotEqual(true, created.GlobalDefault);
        }
        finally
        {
            await Run($"delete priorityclass {priorityClass} --ignore-not-found");
        }

        Succeeded(await Run($"create poddisruptionbudget web -n {ns} --selector=app=web --min-available=2"));
        Succeeded(await Run($"create pdb workers -n {ns} --selector=app=workers --max-unavailable=50%"));
        var web = await cluster.Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("web", ns);
        Assert.Equal("2", web.Spec.MinAvailable.Value);
        Assert.Null(web.Spec.MaxUnavailable);
        Assert.Equal("web", web.Spec.Selector.MatchLabels["app"]);
        var workers = await cluster.Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("workers", ns);
        Assert.Equal("50%", workers.Spec.MaxUnavailable.Value);

        Succeeded(await Run($"create ingress web -n {ns} --class=nginx --rule=shop.example.com/api*=api:8080,tls=shop-cert --default-backend=fallback:http --annotation=team=web"));
        var ingress = await cluster.Client.NetworkingV1.ReadNamespacedIngressAsync("web", ns);
        Assert.Equal("nginx", ingress.Spec.IngressClassName);
        Assert.Equal("web", ingress.Metadata.Annotations["team"]);
        Assert.Equal(("fallback", "http"), (ingress.Spec.DefaultBackend.Service.Name, ingress.Spec.DefaultBackend.Service.Port.Name));
        var rule = ingress.Spec.Rules.Single();
        Assert.Equal("shop.example.com", rule.Host);
        var path = rule.Http.Paths.Single();
        Assert.Equal(("/api", "Prefix", "api", 8080), (path.Path, path.PathType, path.Backend.Service.Name, path.Backend.Service.Port.Number ?? 0));
        var tls = ingress.Spec.Tls.Single();
        Assert.Equal(["shop.example.com"], tls.Hosts);
        Assert.Equal("shop-cert", tls.SecretName);
    }

    [SkippableFact]
    public async Task kubectl_create_configmap_secret_namespace_and_serviceaccount()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kgen");
        Succeeded(await Run($"create configmap settings -n {ns} --from-literal=mode=fast --from-literal=empty="));
        var configMap = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns);
        Assert.Equal("fast", configMap.Data["mode"]);
        Assert.Equal("", configMap.Data["empty"]);

        Succeeded(await Run($"create secret generic login -n {ns} --from-literal=password=s3cr3t"));
        var secret = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("login", ns);
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("s3cr3t", Encoding.UTF8.GetString(secret.Data["password"]));

        Succeeded(await Run($"create serviceaccount robot -n {ns}"));
        var account = await cluster.Client.CoreV1.ReadNamespacedServiceAccountAsync("robot", ns);
        Assert.Equal(ns, account.Metadata.NamespaceProperty);

        var other = $"{ns}-other";
        try
        {
            Succeeded(await Run($"create namespace {other}"));
            var created = await cluster.Client.CoreV1.ReadNamespaceAsync(other);
            Assert.Equal("Active", created.Status.Phase);
        }
        finally
        {
            await Run($"delete namespace {other} --ignore-not-found --wait=false");
        }
    }

    [SkippableFact]
    public async Task kubectl_create_deployment_job_cronjob_and_service()
    {
        Kubectl.SkipIfMissing();
        var ns = await cluster.NewNamespaceAsync("kgen");
        // --replicas=0 is an explicit zero in a pointer field: it must not be defaulted to 1.
        Succeeded(await Run($"create deployment web -n {ns} --image=nginx:1.27 --replicas=0 --port=80"));
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns);
        Assert.Equal(0, deployment.Spec.Replicas);
        Assert.Equal("web", deployment.Spec.Selector.MatchLabels["app"]);
        var container = deployment.Spec.Template.Spec.Containers.Single();
        Assert.Equal(("nginx", "nginx:1.27", 80), (container.Name, container.Image, container.Ports.Single().ContainerPort));

        Succeeded(await Run($"create job once -n {ns} --image=busybox:1.36 -- echo hello"));
        var job = await cluster.Client.BatchV1.ReadNamespacedJobAsync("once", ns);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(["echo", "hello"], job.Spec.Template.Spec.Containers.Single().Command);

        Succeeded(await Run($"create cronjob nightly -n {ns} --image=busybox:1.36 --schedule=\"*/5 * * * *\" --restart=OnFailure -- date"));
        var cronJob = await cluster.Client.BatchV1.ReadNamespacedCronJobAsync("nightly", ns);
        Assert.Equal("*/5 * * * *", cronJob.Spec.Schedule);
        Assert.Equal("OnFailure", cronJob.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy);
        Assert.Equal(["date"], cronJob.Spec.JobTemplate.Spec.Template.Spec.Containers.Single().Command);

        Succeeded(await Run($"create service clusterip web -n {ns} --tcp=80:8080"));
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync("web", ns);
        Assert.Equal("ClusterIP", service.Spec.Type);
        var port = service.Spec.Ports.Single();
        Assert.Equal(("80-8080", 80, "8080"), (port.Name, port.Port, port.TargetPort.Value));
        Assert.Equal("web", service.Spec.Selector["app"]);
    }
}
