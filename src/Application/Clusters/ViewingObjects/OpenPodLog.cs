using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.Common;
using Cocktail.Application.Workloads;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Clusters.ViewingObjects;

/// <summary>
/// A container's log from a pod's detail view: the last lines, followed when asked, or the log of the container
/// that ran before the last restart (<c>Previous</c>).
/// </summary>
public sealed record OpenPodLog(Guid ClusterId, string Namespace, string Pod, string Container, bool Previous = false, bool Follow = false,
    int? TailLines = 500) : IRequest<PodLog>;

public sealed record PodLog(Stream Content, string Pod, string Container);

public sealed class OpenPodLogValidator : AbstractValidator<OpenPodLog>
{
    public OpenPodLogValidator()
    {
        RuleFor(x => x.Namespace).NotEmpty().MaximumLength(63).Matches(ObjectNames.Namespace).WithMessage("Not a namespace name.");
        RuleFor(x => x.Pod).NotEmpty().MaximumLength(253).Matches(ObjectNames.Name).WithMessage("Not a pod name.");
        RuleFor(x => x.Container).NotEmpty().MaximumLength(63).Matches(ObjectNames.Namespace).WithMessage("Not a container name.");
        RuleFor(x => x.TailLines).InclusiveBetween(1, 10_000);
        RuleFor(x => x.Follow).Must((q, follow) => !(follow && q.Previous)).WithMessage("A previous container's log has ended; it cannot be followed.");
    }
}

public static class OpenPodLogHandler
{
    public static async Task<Result<PodLog>> Handle(OpenPodLog query, Actor actor, IQuerySession session, IWorkloadApplier clusters,
        ICredentialVault vault, CancellationToken ct)
    {
        if (await ClusterObjectAccess.ScopeAsync(actor, query.ClusterId, ObjectKind.Pod, query.Namespace, query.Pod, session, ct) is null)
            return Failure.NotFound(GetClusterObjectHandler.NotFoundMessage);
        var credential = await session.LoadAsync<ClusterCredential>(query.ClusterId, ct);
        if (credential is null) return Failure.NotFound(GetClusterObjectHandler.NotFoundMessage);
        var (log, problem, message) = await clusters.OpenLogAsync(vault.Unprotect(credential.Protected), query.Namespace, query.Pod, query.Container,
            query.Follow, query.TailLines, query.Previous, ct);
        return problem switch
        {
            LogSourceProblem.None => new PodLog(log!, query.Pod, query.Container),
            LogSourceProblem.NoSuchPod => Failure.NotFound($"The pod is gone from the cluster: {message}"),
            LogSourceProblem.Unreachable => new Failure(FailureKind.Unavailable, $"The cluster does not answer: {message}"),
            _ => Failure.Conflict($"The cluster refused to send the log: {message}"),
        };
    }
}
