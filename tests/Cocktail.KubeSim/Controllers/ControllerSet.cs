namespace Cocktail.KubeSim.Controllers;

/// <summary>The controllers a cluster runs, in the order their queues are drained.</summary>
internal static class ControllerSet
{
    public static IReadOnlyList<Controller> Create(ClusterRuntime cluster)
    {
        var always = new List<Controller>
        {
            new NamespaceController(cluster), new NodeController(cluster), new CustomResourceDefinitionController(cluster),
            new GarbageCollector(cluster),
        };
        if (!cluster.Options.Controllers) return always;
        return
        [
            .. always,
            new DeploymentController(cluster), new ReplicaSetController(cluster), new StatefulSetController(cluster),
            new DaemonSetController(cluster), new JobController(cluster), new CronJobController(cluster), new SchedulerController(cluster),
            new KubeletController(cluster), new EndpointsController(cluster), new ResourceQuotaController(cluster),
            new HorizontalPodAutoscalerController(cluster),
            .. cluster.Options.ClusterApi ? [new ClusterApi.ClusterApiController(cluster)] : Array.Empty<Controller>(),
            .. cluster.Options.Flux ? [new Flux.FluxController(cluster)] : Array.Empty<Controller>(),
        ];
    }
}
