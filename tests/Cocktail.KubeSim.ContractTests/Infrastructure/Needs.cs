namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>
/// What a contract test needs beyond an API server. Against a cluster without real kubelets (a bare control plane),
/// leave these out: <c>dotnet test --filter "Needs!=Kubelet"</c>.
/// </summary>
public static class Needs
{
    public const string Trait = "Needs";

    /// <summary>Pods that run: readiness, logs, exec, Job completion, kubelet events.</summary>
    public const string Kubelet = "Kubelet";
}
