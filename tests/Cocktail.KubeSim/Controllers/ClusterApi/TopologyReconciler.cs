using System.Text.Json.Nodes;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Controllers.ClusterApi;

/// <summary>
/// The topology controller (exp/topology, internal/controllers/topology/cluster): from the Cluster's
/// spec.topology and its ClusterClass it creates the infrastructure cluster, the control plane and the
/// MachineDeployments (copying the referenced templates), sets the Cluster's refs, propagates replicas and upgrades
/// the control plane first, then the MachineDeployments once the control plane runs the new version; the
/// TopologyReconciled condition says where it stands with the real reasons and messages.
/// </summary>
internal sealed partial class ClusterApiController
{
    /// <summary>Returns the reconcile error (for TopologyReconciled ReconcileFailed), or null.</summary>
    string? ReconcileTopology(ResourceType clusterType, ref JsonObject capiCluster)
    {
        var ns = capiCluster.Namespace();
        var name = capiCluster.Name();
        var topology = capiCluster.Obj("spec").Obj("topology");
        var className = topology.Str("classRef", "name") ?? "";
        var classNs = topology.Str("classRef", "namespace") ?? ns;
        var cc = Get(CoreGroup, "clusterclasses", classNs, className);
        var now = Now;
        if (cc is null) return $"failed to get ClusterClass {classNs}/{className}: clusterclasses.cluster.x-k8s.io \"{className}\" not found";
        if (cc.Long("status", "observedGeneration") != cc.Long("metadata", "generation"))
        {
            WriteStatus(clusterType, capiCluster, o => SetCondition(o, "TopologyReconciled", "False", "ClusterClassNotReconciled",
                "ClusterClass not reconciled. If this condition persists please check ClusterClass status. A ClusterClass is reconciled if" +
                ".status.observedGeneration == .metadata.generation is true. If this is not the case either ClusterClass reconciliation failed or the ClusterClass is paused", now));
            return null;
        }
        var version = topology.Str("version") ?? Cluster.Options.KubernetesVersion;
        var owner = ClusterOwnerRef(capiCluster).Also(r => r.Remove("controller"));
        var topologyLabels = new JsonObject { [ClusterNameLabel] = name, ["topology.cluster.x-k8s.io/owned"] = "" };
        // Infrastructure cluster.
        var (infraType, infra) = Resolve(capiCluster.At("spec", "infrastructureRef"), ns);
        if (infra is null)
        {
            var created = FromTemplate(cc.At("spec", "infrastructure", "templateRef"), ns, $"{name}-", owner, topologyLabels, out var error);
            if (created is null) return error;
            capiCluster = WriteObject(clusterType, capiCluster, o => o.Obj("spec")["infrastructureRef"] =
                V1Beta2Ref(GroupOf(created.Str("apiVersion")), created.Str("kind")!, created.Name()));
        }
        // Control plane.
        var (cpType, cp) = Resolve(capiCluster.At("spec", "controlPlaneRef"), ns);
        if (cp is null)
        {
            var created = FromTemplate(cc.At("spec", "controlPlane", "templateRef"), ns, $"{name}-", owner, topologyLabels, out var error, o =>
            {
                var spec = o.Obj("spec");
                spec["version"] = version;
                if (topology.Long("controlPlane", "replicas") is { } r) spec["replicas"] = r;
                if (cc.At("spec", "controlPlane", "machineInfrastructure", "templateRef") is JsonObject mi)
                    spec.Obj("machineTemplate").Obj("spec")["infrastructureRef"] = V1Beta2Ref(GroupOf(mi.Str("apiVersion")), mi.Str("kind")!, mi.Str("name")!);
            });
            if (created is null) return error;
            capiCluster = WriteObject(clusterType, capiCluster, o => o.Obj("spec")["controlPlaneRef"] =
                V1Beta2Ref(GroupOf(created.Str("apiVersion")), created.Str("kind")!, created.Name()));
            return null;
        }
        // Replicas and the control plane upgrade.
        var cpVersion = NormalizeVersion(cp.Str("spec", "version") ?? version);
        var cpUpgrading = cp.Str("status", "version") is { } reported && NormalizeVersion(reported) != cpVersion || IsTrue(cp, "RollingOut");
        var cpProvisioning = cp.Bool("status", "initialization", "controlPlaneInitialized") != true;
        cp = WriteObject(cpType!, cp, o =>
        {
            if (topology.Long("controlPlane", "replicas") is { } r) o.Obj("spec")["replicas"] = r;
            if (!cpUpgrading && !cpProvisioning) o.Obj("spec")["version"] = version;
        });
        var cpPendingUpgrade = NormalizeVersion(cp.Str("spec", "version") ?? version) != NormalizeVersion(version);
        var cpOnTarget = !cpPendingUpgrade && !cpUpgrading && NormalizeVersion(cp.Str("status", "version") ?? "") == NormalizeVersion(version);
        // MachineDeployments.
        var mdType = CoreType("machinedeployments");
        var existing = ListCore("machinedeployments", ns).Where(m => m.Str("spec", "clusterName") == name &&
                                                                    m.At("metadata", "labels", "topology.cluster.x-k8s.io/deployment-name") is not null).ToList();
        var pendingUpgrade = new List<string>();
        foreach (var mdTopology in topology.At("workers", "machineDeployments").Objects())
        {
            var topologyName = mdTopology.Str("name") ?? "";
            var mdClass = cc.At("spec", "workers", "machineDeployments").Objects().FirstOrDefault(c => c.Str("class") == mdTopology.Str("class"));
            if (mdClass is null) return $"failed to find MachineDeployment class {mdTopology.Str("class")} in ClusterClass {classNs}/{className}";
            var md = existing.FirstOrDefault(m => m.At("metadata", "labels", "topology.cluster.x-k8s.io/deployment-name")?.ToString() == topologyName);
            if (md is null)
            {
                var mdName = ObjectMetadata.GenerateName($"{name}-{topologyName}-");
                var labels = topologyLabels.CloneObject().Also(l => l["topology.cluster.x-k8s.io/deployment-name"] = topologyName);
                var bootstrap = FromTemplate(mdClass.At("bootstrap", "templateRef"), ns, $"{mdName}-", owner, labels, out var e1, copy: true);
                if (bootstrap is null) return e1;
                var infraTemplate = FromTemplate(mdClass.At("infrastructure", "templateRef"), ns, $"{mdName}-", owner, labels, out var e2, copy: true);
                if (infraTemplate is null) return e2;
                Create(mdType, ns, new JsonObject
                {
                    ["apiVersion"] = $"{CoreGroup}/v1beta2",
                    ["kind"] = "MachineDeployment",
                    ["metadata"] = new JsonObject { ["name"] = mdName, ["namespace"] = ns, ["labels"] = labels, ["ownerReferences"] = new JsonArray(owner.DeepClone()) },
                    ["spec"] = new JsonObject
                    {
                        ["clusterName"] = name,
                        ["replicas"] = mdTopology.Long("replicas") ?? 1,
                        ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [ClusterNameLabel] = name, ["topology.cluster.x-k8s.io/deployment-name"] = topologyName } },
                        ["template"] = new JsonObject
                        {
                            ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
                            ["spec"] = new JsonObject
                            {
                                ["clusterName"] = name,
                                ["version"] = cpOnTarget || cpProvisioning ? version : NormalizeVersion(cp.Str("status", "version") ?? version),
                                ["bootstrap"] = new JsonObject { ["configRef"] = V1Beta2Ref(GroupOf(bootstrap.Str("apiVersion")), bootstrap.Str("kind")!, bootstrap.Name()) },
                                ["infrastructureRef"] = V1Beta2Ref(GroupOf(infraTemplate.Str("apiVersion")), infraTemplate.Str("kind")!, infraTemplate.Name()),
                            },
                        },
                    },
                });
                continue;
            }
            var mdVersion = NormalizeVersion(md.Str("spec", "template", "spec", "version") ?? version);
            var upgradeNow = mdVersion != NormalizeVersion(version) && cpOnTarget;
            if (mdVersion != NormalizeVersion(version) && !cpOnTarget) pendingUpgrade.Add(md.Name());
            WriteObject(mdType, md, o =>
            {
                if (mdTopology.Long("replicas") is { } r) o.Obj("spec")["replicas"] = r;
                if (upgradeNow) o.Obj("spec").Obj("template").Obj("spec")["version"] = version;
            });
        }
        capiCluster = Cluster.Registry.TryGet(clusterType, ns, name) ?? capiCluster;
        WriteStatus(clusterType, capiCluster, o =>
        {
            if (cpPendingUpgrade || (cpUpgrading && !cpOnTarget))
                SetCondition(o, "TopologyReconciled", "False", "ControlPlaneUpgradePending",
                    $"Control plane rollout and upgrade to version {version} on hold. Control plane is upgrading to version {cp.Str("spec", "version")}", now);
            else if (pendingUpgrade.Count > 0)
                SetCondition(o, "TopologyReconciled", "False", "MachineDeploymentsUpgradePending",
                    $"MachineDeployment(s) {string.Join(", ", pendingUpgrade)} rollout and upgrade to version {version} on hold.", now);
            else SetCondition(o, "TopologyReconciled", "True", "ReconcileSucceeded", "", now);
        });
        return null;
    }

    /// <summary>
    /// Creates an object from a ClusterClass template reference: "XTemplate" gives an X whose spec is the template's
    /// spec.template.spec, or (copy) a copy of the template itself, as the topology controller clones machine templates.
    /// </summary>
    JsonObject? FromTemplate(JsonNode? templateRef, string ns, string namePrefix, JsonObject owner, JsonObject labels, out string? error,
        Action<JsonObject>? customize = null, bool copy = false)
    {
        error = null;
        if (templateRef is not JsonObject r || r.Str("kind") is not { } kind || r.Str("name") is not { } templateName)
        {
            error = "ClusterClass template reference is missing";
            return null;
        }
        var group = GroupOf(r.Str("apiVersion"));
        var templateType = TypeOfKind(group, kind);
        JsonObject? template = templateType is null ? null : Cluster.Registry.TryGet(templateType, ns, templateName);
        if (templateType is not null && template is null)
        {
            error = $"failed to get {kind} {ns}/{templateName}: {templateType.Resource}.{group} \"{templateName}\" not found";
            return null;
        }
        var targetKind = copy ? kind : kind.EndsWith("Template") ? kind[..^"Template".Length] : kind;
        var targetType = TypeOfKind(group, targetKind);
        if (targetType is null)
        {
            error = $"failed to create {targetKind}: no matches for kind \"{targetKind}\" in group \"{group}\"";
            return null;
        }
        // A template kind KubeSim's shared CRDs do not carry (e.g. OpenStackClusterTemplate) gives an empty spec.
        var spec = copy ? template?["spec"]?.DeepClone() ?? new JsonObject() : template?.At("spec", "template", "spec")?.DeepClone() ?? new JsonObject();
        var obj = new JsonObject
        {
            ["apiVersion"] = targetType.GroupVersion,
            ["kind"] = targetKind,
            ["metadata"] = new JsonObject
            {
                ["name"] = ObjectMetadata.GenerateName(namePrefix), ["namespace"] = ns, ["labels"] = labels.DeepClone(),
                ["annotations"] = new JsonObject { ["cluster.x-k8s.io/cloned-from-name"] = templateName, ["cluster.x-k8s.io/cloned-from-groupkind"] = $"{kind}.{group}" },
                ["ownerReferences"] = new JsonArray(owner.DeepClone()),
            },
            ["spec"] = spec,
        };
        customize?.Invoke(obj);
        return Create(targetType, ns, obj);
    }
}
