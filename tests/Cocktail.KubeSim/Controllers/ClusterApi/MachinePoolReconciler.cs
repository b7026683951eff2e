using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>
/// MachinePools with managed provider pools (EKS node groups, AKS agent pools, GKE node pools): the provider creates
/// its instances once the control plane is initialized, then adds/replaces/removes one node per step to follow
/// spec.replicas and spec.template.spec.version (surge first, as managed node group updates do); the pool reports
/// ready, replicas and providerIDList, and the MachinePool its counters, nodeRefs, phase and conditions.
/// Also the MachineHealthCheck counters and the ClusterClass's observedGeneration.
/// </summary>
internal sealed partial class ClusterApiController
{
    const string MachinePoolFinalizer = "machinepool.cluster.x-k8s.io";

    void ReconcileMachinePool(string key)
    {
        var (ns, name) = Split(key);
        var type = CoreType("machinepools");
        var mp = Cluster.Registry.TryGet(type, ns, name);
        if (mp is null) return;
        var clusterName = mp.Str("spec", "clusterName") ?? "";
        var clusterKey = $"{ns}/{clusterName}";
        var mpKey = "MP|" + key;
        var workload = Cluster.WorkloadClusters.Get(clusterKey);
        var nodes = workload?.Objects.List("v1", "Node").Where(n => n.At("metadata", "annotations", "cluster.x-k8s.io/owner-name")?.ToString() == name &&
                                                                     n.At("metadata", "annotations", "cluster.x-k8s.io/owner-kind")?.ToString() == "MachinePool").ToList() ?? [];
        var (poolType, pool) = Resolve(mp.At("spec", "template", "spec", "infrastructureRef"), ns);
        var now = Now;
        if (mp.IsDeleting())
        {
            if (!mp.Finalizers().Contains(MachinePoolFinalizer)) return;
            WriteStatus(type, mp, o => { o.Obj("status")["phase"] = "Deleting"; SetCondition(o, "Deleting", "True", "DeletingInfrastructure", "", now); });
            if (!Due(mpKey, mp.Uid(), "delete")) return;
            foreach (var n in nodes) { try { workload!.Objects.Delete("v1", "Node", n.Name()); } catch (Http.ApiException) { } }
            if (pool is not null && poolType is not null) Delete(poolType, ns, pool.Name());
            Forget(mp.Uid());
            RemoveFinalizer(type, mp, MachinePoolFinalizer);
            return;
        }
        var capiCluster = Get(CoreGroup, "clusters", ns, clusterName);
        if (capiCluster is null) return;
        mp = AddFinalizer(type, mp, MachinePoolFinalizer);
        mp = WriteObject(type, mp, o => EnsureOwner(o, ClusterOwnerRef(capiCluster).Also(r => r.Remove("controller")), clusterName));
        if (pool is not null && poolType is not null)
            pool = WriteObject(poolType, pool, o => EnsureOwner(o, ObjectMetadata.OwnerReference(mp, type.GroupVersion, "MachinePool"), clusterName));
        var desired = Replicas(mp);
        var version = NormalizeVersion(mp.Str("spec", "template", "spec", "version") ?? capiCluster.Str("spec", "topology", "version") ?? Cluster.Options.KubernetesVersion);
        var cpInitialized = capiCluster.Bool("status", "initialization", "controlPlaneInitialized") == true;
        var provider = poolType is not null && InfrastructureProviders.PoolKinds.TryGetValue(poolType.StorageKey, out var p) ? p : "kubesim";
        var scheme = InfrastructureProviders.ClusterKinds.Values.FirstOrDefault(k => k.Provider == provider)?.ProviderIdScheme ?? "kubesim://";
        if (cpInitialized && workload is not null && Cluster.WorkloadClusters.IsAnswering(clusterKey))
        {
            var outdated = nodes.Where(n => n.Str("status", "nodeInfo", "kubeletVersion") != version).OrderBy(n => n.Name(), StringComparer.Ordinal).ToList();
            string? change = outdated.Count > 0 ? (nodes.Count <= desired ? "add" : "remove-outdated")
                : nodes.Count < desired ? "add" : nodes.Count > desired ? "remove" : null;
            if (change is not null && Due(mpKey, mp.Uid(), $"{change}-{nodes.Count}-{outdated.Count}"))
            {
                if (change == "add")
                {
                    var nodeName = ObjectMetadata.GenerateName($"{name}-");
                    nodes.Add(WorkloadClusters.EnsureNode(workload, nodeName, version, new Dictionary<string, string>
                    {
                        ["cluster.x-k8s.io/owner-kind"] = "MachinePool", ["cluster.x-k8s.io/owner-name"] = name,
                        ["cluster.x-k8s.io/cluster-name"] = clusterName, ["cluster.x-k8s.io/cluster-namespace"] = ns,
                    }, new Dictionary<string, string> { [PoolNameLabel] = name }, now));
                }
                else
                {
                    var victim = change == "remove-outdated" ? outdated[0] : nodes.OrderByDescending(n => n.Name(), StringComparer.Ordinal).First();
                    try { workload.Objects.Delete("v1", "Node", victim.Name()); } catch (Http.ApiException) { }
                    nodes.RemoveAll(n => n.Name() == victim.Name());
                }
            }
        }
        var providerIds = nodes.Select(n => (JsonNode)(scheme + n.Name())).ToArray();
        var poolReady = nodes.Count > 0 && nodes.Count >= Math.Min(desired, 1);
        if (pool is not null && poolType is not null)
        {
            pool = WriteObject(poolType, pool, o => o.Obj("spec")["providerIDList"] = new JsonArray(providerIds.Select(x => x!.DeepClone()).ToArray()));
            WriteStatus(poolType, pool, o =>
            {
                o.Obj("status")["ready"] = poolReady || (desired == 0 && cpInitialized);
                o.Obj("status")["replicas"] = nodes.Count;
                if (provider is "aws" or "gcp") SetV1Beta1Condition(o, "Ready", poolReady ? "True" : "False", poolReady ? null : "Creating", poolReady ? null : "Info", poolReady ? null : "node group is being created", now);
            });
        }
        mp = WriteObject(type, mp, o => o.Obj("spec")["providerIDList"] = new JsonArray(providerIds.Select(x => x!.DeepClone()).ToArray()));
        var upToDate = nodes.Count(n => n.Str("status", "nodeInfo", "kubeletVersion") == version);
        var rollingOut = upToDate < nodes.Count;
        WriteStatus(type, mp, o =>
        {
            var status = o.Obj("status");
            status["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
            status["replicas"] = nodes.Count;
            status["readyReplicas"] = nodes.Count;
            status["availableReplicas"] = nodes.Count;
            status["upToDateReplicas"] = upToDate;
            status["nodeRefs"] = new JsonArray(nodes.Select(n => (JsonNode)new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = n.Name(), ["uid"] = n.Uid() }).ToArray());
            var init = status.Obj("initialization");
            init["bootstrapDataSecretCreated"] = cpInitialized;
            init["infrastructureProvisioned"] = nodes.Count > 0 || (desired == 0 && cpInitialized);
            status["phase"] = !cpInitialized || (nodes.Count == 0 && desired > 0) ? "Provisioning" : nodes.Count < desired ? "ScalingUp" : nodes.Count > desired ? "ScalingDown" : "Running";
            var available = nodes.Count >= desired && cpInitialized;
            SetCondition(o, "Available", available ? "True" : "False", available ? "Available" : "NotAvailable",
                available ? "" : $"{nodes.Count} available replicas, at least {desired} required", now);
            SetCondition(o, "BootstrapConfigReady", cpInitialized ? "True" : "False", cpInitialized ? "Ready" : "NotReady", "", now);
            SetCondition(o, "InfrastructureReady", nodes.Count > 0 ? "True" : "False", nodes.Count > 0 ? "Ready" : "NotReady",
                nodes.Count > 0 ? "" : $"{poolType?.Kind} status.ready is false", now);
            SetCondition(o, "RollingOut", rollingOut ? "True" : "False", rollingOut ? "RollingOut" : "NotRollingOut",
                rollingOut ? $"Rolling out {nodes.Count - upToDate} not up-to-date replicas\n* Version {version} required" : "", now);
            SetCondition(o, "ScalingUp", nodes.Count < desired ? "True" : "False", nodes.Count < desired ? "ScalingUp" : "NotScalingUp",
                nodes.Count < desired ? $"Scaling up from {nodes.Count} to {desired} replicas" : "", now);
            SetCondition(o, "ScalingDown", !rollingOut && nodes.Count > desired ? "True" : "False", !rollingOut && nodes.Count > desired ? "ScalingDown" : "NotScalingDown",
                !rollingOut && nodes.Count > desired ? $"Scaling down from {nodes.Count} to {desired} replicas" : "", now);
            SetCondition(o, "Remediating", "False", "NotRemediating", "", now);
            SetCondition(o, "Deleting", "False", "NotDeleting", "", now);
            SetCondition(o, "Paused", "False", "NotPaused", "", now);
        });
    }

    /// <summary>MachineHealthCheck: the machines it selects and how many are healthy (a node, Running); no remediation.</summary>
    void ReconcileMachineHealthCheck(string key)
    {
        var (ns, name) = Split(key);
        var type = CoreType("machinehealthchecks");
        var mhc = Cluster.Registry.TryGet(type, ns, name);
        if (mhc is null || mhc.IsDeleting()) return;
        var clusterName = mhc.Str("spec", "clusterName") ?? "";
        var selector = Storage.LabelSelector.FromObject(mhc.At("spec", "selector")) ?? Storage.LabelSelector.Everything;
        var machines = ListCore("machines", ns).Where(m => m.Str("spec", "clusterName") == clusterName && !m.IsDeleting() &&
                                                          selector.Matches(m.At("metadata", "labels").StringMap())).ToList();
        var healthy = machines.Count(m => m.Str("status", "phase") == "Running" && m.At("status", "nodeRef") is not null);
        var now = Now;
        WriteStatus(type, mhc, o =>
        {
            var status = o.Obj("status");
            status["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
            status["expectedMachines"] = machines.Count;
            status["currentHealthy"] = healthy;
            status["remediationsAllowed"] = Math.Max(0, healthy);
            status["targets"] = new JsonArray(machines.Select(m => (JsonNode)m.Name()).ToArray());
            SetCondition(o, "RemediationAllowed", "True", "RemediationAllowed", "", now);
        });
    }

    /// <summary>The ClusterClass controller: observedGeneration and VariablesReady/RefVersionsUpToDate.</summary>
    void ReconcileClusterClass(string key)
    {
        var (ns, name) = Split(key);
        var type = CoreType("clusterclasses");
        var cc = Cluster.Registry.TryGet(type, ns, name);
        if (cc is null || cc.IsDeleting()) return;
        var now = Now;
        WriteStatus(type, cc, o =>
        {
            o.Obj("status")["observedGeneration"] = o.Long("metadata", "generation") ?? 1;
            SetCondition(o, "VariablesReady", "True", "VariablesReady", "", now);
            SetCondition(o, "RefVersionsUpToDate", "True", "RefVersionsUpToDate", "", now);
            SetCondition(o, "Paused", "False", "NotPaused", "", now);
        });
    }
}
