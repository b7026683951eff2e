namespace Cocktail.KubeSim.Admission;

/// <summary>The admission plugins enabled on every simulated cluster, in kube-apiserver's order.</summary>
internal static class AdmissionPlugins
{
    public static AdmissionChain Create(ClusterRuntime cluster) => new([], []);
}
