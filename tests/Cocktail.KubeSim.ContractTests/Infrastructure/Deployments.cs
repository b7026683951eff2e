using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

public static class Deployments
{
    /// <summary>Waits for a deployment state; on timeout the failure shows the deployment, its sets and pods.</summary>
    public static async Task<V1Deployment> WaitFor(IKubernetes client, string ns, string name, Func<V1Deployment, bool> condition, string because)
    {
        try
        {
            return await Eventually.Get(() => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns), condition, because: because);
        }
        catch (TimeoutException)
        {
            var d = await client.AppsV1.ReadNamespacedDeploymentAsync(name, ns);
            var sets = (await client.AppsV1.ListNamespacedReplicaSetAsync(ns)).Items;
            var pods = (await client.CoreV1.ListNamespacedPodAsync(ns)).Items;
            throw new Xunit.Sdk.XunitException(
                $"{because}: deployment gen {d.Metadata.Generation} status {KubernetesJson.Serialize(d.Status)}\n" +
                string.Join("\n", sets.Select(s => $"rs {s.Metadata.Name} spec={s.Spec.Replicas} status={KubernetesJson.Serialize(s.Status)}")) + "\n" +
                string.Join("\n", pods.Select(p => $"pod {p.Metadata.Name} {p.Status?.Phase} node={p.Spec.NodeName} deleting={p.Metadata.DeletionTimestamp is not null} ready={p.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status}")));
        }
    }

}
