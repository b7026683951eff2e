using System.Net;
using Cocktail.KubeSim.ContractTests.Infrastructure;
using k8s;
using k8s.Models;

namespace Cocktail.KubeSim.ContractTests;

/// <summary>The pod log subresource's <c>previous</c> parameter, as the kubelet answers it through the API server.</summary>
[Collection(ContractCollection.Name)]
public sealed class PodLogsContract(ClusterUnderTest cluster)
{
    IKubernetes Client => cluster.Client;

    [SkippableFact]
    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task the_previous_log_of_a_container_that_never_restarted_is_a_400_that_names_the_container_and_pod()
    {
        var ns = await cluster.NewNamespaceAsync("previous");
        await Client.CoreV1.CreateNamespacedPodAsync(Manifests.Pod("steady"), ns);
        await Eventually.Until(async () => (await Client.CoreV1.ReadNamespacedPodAsync("steady", ns)).Status?.Phase == "Running");

        var error = await ApiError.From(() => Client.CoreV1.ReadNamespacedPodLogAsync("steady", ns, container: "app", previous: true));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("previous terminated container \"app\" in pod \"steady\" not found", error.Message);
        Assert.Equal("BadRequest", error.Reason);
    }

    [SkippableFact]
    [Trait(Needs.Trait, Needs.Kubelet)]
    public async Task the_previous_log_of_a_restarted_container_is_the_log_of_the_instance_that_ended()
    {
        // KubeSim crash-loops a container on request (an annotation); a real cluster needs a container that exits.
        Skip.IfNot(cluster.IsSimulator, "simulator-only crash loop");
        var ns = await cluster.NewNamespaceAsync("restarted");
        var pod = Manifests.Pod("crashing");
        pod.Metadata.Annotations = new Dictionary<string, string> { ["kubesim.cocktail.io/crash-loop"] = "true" };
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns);
        await Eventually.Until(async () =>
            (await Client.CoreV1.ReadNamespacedPodAsync("crashing", ns)).Status?.ContainerStatuses?.FirstOrDefault()?.LastState?.Terminated is not null);

        await using var previous = await Client.CoreV1.ReadNamespacedPodLogAsync("crashing", ns, container: "app", previous: true);
        using var reader = new StreamReader(previous);
        var text = await reader.ReadToEndAsync();

        Assert.Contains("crashing/app", text);
        Assert.EndsWith("\n", text);
    }
}
