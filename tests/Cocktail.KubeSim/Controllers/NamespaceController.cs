using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The namespace lifecycle: a new namespace gets its "default" ServiceAccount and the kube-root-ca.crt ConfigMap
/// (serviceaccount and root-ca-cert-publisher controllers); a terminating one has everything in it deleted, then
/// its "kubernetes" finalizer removed so it disappears.
/// </summary>
internal sealed class NamespaceController(ClusterRuntime cluster) : Controller(cluster)
{
    static readonly string[] BootstrapNamespaces = ["default", "kube-node-lease", "kube-public", "kube-system"];

    public override void Start()
    {
        var namespaces = Cluster.Type("", "namespaces");
        foreach (var ns in BootstrapNamespaces)
            if (Cluster.Registry.TryGet(namespaces, "", ns) is null)
                Cluster.Registry.Create(namespaces, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, WriteOptions.Internal("kube-apiserver"));
        foreach (var stored in Cluster.Store.List("/namespaces", null).Items) Enqueue(stored.Name);
        EnsureKubernetesService();
    }

    /// <summary>default/kubernetes, the apiserver's own Service at the first address of the service range.</summary>
    void EnsureKubernetesService()
    {
        var services = Cluster.Type("", "services");
        if (Cluster.Registry.TryGet(services, "default", "kubernetes") is not null) return;
        var write = WriteOptions.Internal("kube-apiserver");
        Cluster.Registry.Create(services, "default", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = "10.96.0.1",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 6443 }),
            },
        }, write);
        Cluster.Registry.Create(Cluster.Type("", "endpoints"), "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "kubernetes", ["labels"] = new JsonObject { ["endpointslice.kubernetes.io/skip-mirror"] = "true" } },
            ["subsets"] = new JsonArray(new JsonObject
            {
                ["addresses"] = new JsonArray(new JsonObject { ["ip"] = "10.0.0.1" }),
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 6443, ["protocol"] = "TCP" }),
            }),
        }, write);
    }

    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "/namespaces") yield return change.Object.Name;
        else if (change.Type == "DELETED" && change.Object.Namespace.Length > 0) yield return change.Object.Namespace;
        else if (change.Object.StorageKey is "/serviceaccounts" or "/configmaps" && change.Type == "DELETED") yield return change.Object.Namespace;
    }

    public override void Reconcile(string name)
    {
        var namespaces = Cluster.Type("", "namespaces");
        var ns = Cluster.Registry.TryGet(namespaces, "", name);
        if (ns is null) return;
        if (ns.IsDeleting()) Terminate(ns);
        else EnsureDefaults(name);
    }

    void EnsureDefaults(string ns)
    {
        var registry = Cluster.Registry;
        var serviceAccounts = Cluster.Type("", "serviceaccounts");
        if (registry.TryGet(serviceAccounts, ns, "default") is null)
            registry.Create(serviceAccounts, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } },
                WriteOptions.Internal("kube-controller-manager"));
        var configMaps = Cluster.Type("", "configmaps");
        if (registry.TryGet(configMaps, ns, "kube-root-ca.crt") is null)
            registry.Create(configMaps, ns, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = "kube-root-ca.crt",
                    ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
                },
                ["data"] = new JsonObject { ["ca.crt"] = Cluster.Ca.CertificatePem },
            }, WriteOptions.Internal("kube-controller-manager"));
    }

    void Terminate(JsonObject ns)
    {
        var name = ns.Name();
        var remaining = 0;
        foreach (var type in Cluster.Catalog.All.Where(t => t.Namespaced && !t.IsVirtual && t.Group != "metrics.k8s.io")
                     .GroupBy(t => t.StorageKey).Select(g => g.First()))
        {
            foreach (var stored in Cluster.Store.List(type.StorageKey, name).Items)
            {
                remaining++;
                var obj = stored.Parse();
                if (obj.IsDeleting()) continue;
                try
                {
                    Cluster.Registry.Delete(type, name, stored.Name, new DeleteOptions(WriteOptions.Internal("namespace-controller")) { PropagationPolicy = "Background" });
                }
                catch (Http.ApiException) { }
            }
        }
        if (remaining > 0) return; // the DELETED events of the contents bring us back here
        var namespaces = Cluster.Type("", "namespaces");
        Cluster.Registry.Mutate(namespaces, "", name, WriteOptions.Internal("namespace-controller"), "finalize", current =>
        {
            current.Obj("spec")["finalizers"] = new JsonArray();
            return current;
        });
        var after = Cluster.Registry.TryGet(namespaces, "", name);
        if (after is not null && after.Finalizers().Count == 0) Cluster.Registry.DeleteNow(namespaces, "", name);
    }
}
