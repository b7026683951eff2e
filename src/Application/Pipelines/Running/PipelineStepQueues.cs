namespace Cocktail.Application.Pipelines.Running;

/// <summary>
/// How many messages of one pipeline step kind run at once on a replica. A step's handler mostly waits on the
/// database (a few reads, one commit); with Wolverine's default (the CPUs, at least 5) fifty runs whose rollouts end
/// together queued behind each other and the hand-over to the next step took seconds. Each run is one stream, so
/// runs do not contend with each other; the connection pool bounds the whole.
/// </summary>
public static class PipelineStepQueues
{
    public const int Parallelism = 32;
}
