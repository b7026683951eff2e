using k8s.Models;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>Small builders for the objects the contract creates.</summary>
public static class Manifests
{
    public static V1ConfigMap ConfigMap(string name, IDictionary<string, string>? data = null, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = data ?? new Dictionary<string, string> { ["key"] = "value" },
    };

    public static V1Container Container(string name = "app", string image = "nginx:1.27", string? cpu = "50m", string? memory = "64Mi") => new()
    {
        Name = name,
        Image = image,
        Resources = cpu is null && memory is null ? null : new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity>
            {
                ["cpu"] = new(cpu ?? "50m"),
                ["memory"] = new(memory ?? "64Mi"),
            },
        },
    };

    public static V1Pod Pod(string name, params V1Container[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = name } },
        Spec = new V1PodSpec { Containers = containers.Length == 0 ? [Container()] : containers },
    };

    public static V1Deployment Deployment(string name, int replicas, string image = "nginx:1.27") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new V1PodSpec { Containers = [Container(image: image)] },
            },
        },
    };
}
