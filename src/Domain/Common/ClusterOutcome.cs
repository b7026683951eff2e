namespace Cocktail.Domain.Common;

/// <summary>How a cluster answered a write Cocktail made to it.</summary>
public enum ClusterAnswer
{
    Applied,
    /// <summary>The cluster did not answer (or asked to slow down): nothing is known, so nothing is recorded.</summary>
    Unreachable,
    /// <summary>The cluster answered and refused; the message is the cluster's.</summary>
    Refused,
}

/// <summary>
/// What a reconciler observed when it made a cluster match an aggregate: the input of the aggregate's pure decision
/// (<c>serviceMap.RecordApply(outcome, ...)</c>, <c>workload.RecordApply(outcome, at)</c>), which returns the events to append.
/// </summary>
public sealed record ClusterOutcome(ClusterAnswer Answer, string? Message = null)
{
    public static ClusterOutcome Applied { get; } = new(ClusterAnswer.Applied);
    public static ClusterOutcome Unreachable { get; } = new(ClusterAnswer.Unreachable);
    public static ClusterOutcome Refused(string? message) => new(ClusterAnswer.Refused, message);
}
