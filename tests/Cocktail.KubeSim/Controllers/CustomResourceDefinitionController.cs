using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// The apiextensions controllers: names are accepted and the CRD becomes Established (its resources are already
/// served by the registry), with acceptedNames and storedVersions in status. A deleted CRD's instances are removed
/// before it goes (the customresourcecleanup finalizer).
/// </summary>
internal sealed class CustomResourceDefinitionController(ClusterRuntime cluster) : Controller(cluster)
{
    public override IEnumerable<string> KeysFor(StoreEvent change)
    {
        if (change.Object.StorageKey == "apiextensions.k8s.io/customresourcedefinitions" && change.Type != "DELETED") yield return change.Object.Name;
    }

    public override void Reconcile(string name)
    {
        var type = Cluster.Type("apiextensions.k8s.io", "customresourcedefinitions");
        var crd = Cluster.Registry.TryGet(type, "", name);
        if (crd is null) return;
        if (crd.IsDeleting())
        {
            if (crd.Finalizers().Contains("customresourcecleanup.apiextensions.k8s.io"))
                Cluster.Registry.Mutate(type, "", name, WriteOptions.Internal("apiextensions-apiserver"), "", c =>
                {
                    c.SetFinalizers(c.Finalizers().Where(f => f != "customresourcecleanup.apiextensions.k8s.io"));
                    c.Meta().Remove("resourceVersion");
                    return c;
                });
            return;
        }
        if (crd.At("status", "conditions").Objects().Any(c => c.Str("type") == "Established" && c.Str("status") == "True")) return;
        var now = ObjectMetadata.Timestamp(Cluster.Time.GetUtcNow());
        Workloads.WriteStatus(Cluster, type, crd, "apiextensions-apiserver", c =>
        {
            var status = c.Obj("status");
            var names = c.At("spec", "names")?.DeepClone() as JsonObject ?? new JsonObject();
            names["singular"] ??= names.Str("kind")?.ToLowerInvariant();
            names["listKind"] ??= names.Str("kind") + "List";
            status["acceptedNames"] = names;
            status["storedVersions"] = new JsonArray(c.At("spec", "versions").Objects().Where(v => v.Bool("storage") == true).Select(v => (JsonNode)v.Str("name")!).ToArray());
            status["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["lastTransitionTime"] = now, ["reason"] = "NoConflicts", ["message"] = "no conflicts found" },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["lastTransitionTime"] = now, ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted" });
        });
    }
}
