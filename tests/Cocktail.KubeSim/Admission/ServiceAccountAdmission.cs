using System.Text.Json.Nodes;
using Cocktail.KubeSim.Json;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// The ServiceAccount plugin's image pull secrets: a pod created without <c>imagePullSecrets</c> gets its
/// ServiceAccount's (plugin/pkg/admission/serviceaccount). That is how workloads use a namespace's pull secrets without
/// naming them. The plugin's other duties (refusing a missing ServiceAccount, mounting its token) are not simulated.
/// </summary>
internal sealed class ServiceAccountAdmission(ClusterRuntime cluster) : IMutatingAdmission
{
    public void Admit(AdmissionRequest request)
    {
        if (request.Type.StorageKey != "/pods" || request.Operation != "CREATE" || request.Object is null) return;
        var spec = request.Object.Obj("spec");
        if (spec["imagePullSecrets"] is JsonArray { Count: > 0 }) return;
        var accountName = spec.Str("serviceAccountName") ?? spec.Str("serviceAccount") ?? "default";
        var account = cluster.Registry.TryGet(cluster.Type("", "serviceaccounts"), request.Namespace, accountName);
        if (account?["imagePullSecrets"] is not JsonArray { Count: > 0 } secrets) return;
        spec["imagePullSecrets"] = new JsonArray(secrets.Objects().Select(s => (JsonNode)new JsonObject { ["name"] = s.Str("name") }).ToArray());
    }
}
