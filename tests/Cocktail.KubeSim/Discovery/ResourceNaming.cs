namespace Cocktail.KubeSim.Discovery;

/// <summary>
/// Short names and categories are not part of the OpenAPI documents; these are the values a 1.35 apiserver
/// reports, so <c>kubectl get po</c> and <c>kubectl get all</c> behave as usual.
/// </summary>
static class ResourceNaming
{
    static readonly Dictionary<string, string[]> ShortNamesByResource = new()
    {
        ["/pods"] = ["po"], ["/services"] = ["svc"], ["/namespaces"] = ["ns"], ["/nodes"] = ["no"],
        ["/configmaps"] = ["cm"], ["/endpoints"] = ["ep"], ["/events"] = ["ev"], ["/limitranges"] = ["limits"],
        ["/persistentvolumeclaims"] = ["pvc"], ["/persistentvolumes"] = ["pv"], ["/resourcequotas"] = ["quota"],
        ["/serviceaccounts"] = ["sa"], ["/replicationcontrollers"] = ["rc"], ["/componentstatuses"] = ["cs"],
        ["apps/deployments"] = ["deploy"], ["apps/replicasets"] = ["rs"], ["apps/statefulsets"] = ["sts"],
        ["apps/daemonsets"] = ["ds"], ["batch/cronjobs"] = ["cj"], ["autoscaling/horizontalpodautoscalers"] = ["hpa"],
        ["networking.k8s.io/ingresses"] = ["ing"], ["networking.k8s.io/networkpolicies"] = ["netpol"],
        ["apiextensions.k8s.io/customresourcedefinitions"] = ["crd", "crds"], ["policy/poddisruptionbudgets"] = ["pdb"],
        ["storage.k8s.io/storageclasses"] = ["sc"], ["scheduling.k8s.io/priorityclasses"] = ["pc"],
        ["certificates.k8s.io/certificatesigningrequests"] = ["csr"], ["events.k8s.io/events"] = ["ev"],
    };

    static readonly Dictionary<string, string[]> CategoriesByResource = new()
    {
        ["/pods"] = ["all"], ["/services"] = ["all"], ["/replicationcontrollers"] = ["all"],
        ["apps/deployments"] = ["all"], ["apps/replicasets"] = ["all"], ["apps/statefulsets"] = ["all"],
        ["apps/daemonsets"] = ["all"], ["batch/jobs"] = ["all"], ["batch/cronjobs"] = ["all"],
        ["autoscaling/horizontalpodautoscalers"] = ["all"],
        ["apiextensions.k8s.io/customresourcedefinitions"] = ["api-extensions"],
        ["admissionregistration.k8s.io/validatingadmissionpolicies"] = ["api-extensions"],
        ["admissionregistration.k8s.io/validatingadmissionpolicybindings"] = ["api-extensions"],
        ["admissionregistration.k8s.io/mutatingadmissionpolicies"] = ["api-extensions"],
        ["admissionregistration.k8s.io/mutatingadmissionpolicybindings"] = ["api-extensions"],
        ["admissionregistration.k8s.io/validatingwebhookconfigurations"] = ["api-extensions"],
        ["admissionregistration.k8s.io/mutatingwebhookconfigurations"] = ["api-extensions"],
        ["apiregistration.k8s.io/apiservices"] = ["api-extensions"],
    };

    public static string[] ShortNames(string group, string resource) =>
        ShortNamesByResource.GetValueOrDefault($"{group}/{resource}") ?? [];

    public static string[] Categories(string group, string resource) =>
        CategoriesByResource.GetValueOrDefault($"{group}/{resource}") ?? [];
}
