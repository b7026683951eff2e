namespace Cocktail.KubeSim.Controllers;

/// <summary>The controllers a cluster runs, in the order their queues are drained.</summary>
internal static class ControllerSet
{
    public static IReadOnlyList<Controller> Create(ClusterRuntime cluster)
    {
        var always = new List<Controller> { new NamespaceController(cluster), new NodeController(cluster) };
        if (!cluster.Options.Controllers) return always;
        return always;
    }
}
