namespace Cocktail.KubeSim.Admission;

/// <summary>
/// The admission plugins enabled on every simulated cluster, in kube-apiserver's order: LimitRanger and ServiceAccount mutate;
/// PodSecurity, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook and ResourceQuota (always last) validate.
/// </summary>
internal static class AdmissionPlugins
{
    public static AdmissionChain Create(ClusterRuntime cluster) => new(
        [new LimitRangerAdmission(cluster), new ServiceAccountAdmission(cluster)],
        [new PodSecurityAdmission(cluster), new ValidatingAdmissionPolicyAdmission(cluster), new ValidatingWebhookAdmission(cluster), new ResourceQuotaAdmission(cluster)]);
}
