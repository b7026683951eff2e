using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.Access;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.AccessGrants.Requesting;

/// <summary>Just-in-time: ask for access for a while; an approver's approval creates the grant.</summary>
/// <remarks>Scope and role are nullable so that a body without them is refused on the field, not read as Cluster/view.</remarks>
public sealed record RequestAccess(Guid ClusterId, AccessScope? Scope, Guid? ServiceMapId, AccessRole? Role, double DurationHours, string Reason)
    : IRequest<Accepted>;

public sealed class RequestAccessValidator : AbstractValidator<RequestAccess>
{
    /// <summary>Ten years: far beyond any grant the platform allows (that limit is checked later), far inside what a TimeSpan holds.</summary>
    public const double MaxDurationHours = 24 * 366 * 10;

    public RequestAccessValidator()
    {
        RuleFor(x => x.ClusterId).NotEmpty().WithMessage("Name the cluster.");
        RuleFor(x => x.Scope).NotNull().IsInEnum().WithMessage("Scope is Cluster or ServiceMap.");
        RuleFor(x => x.Role).NotNull().IsInEnum().WithMessage("Role is view, edit, admin or cluster-admin.");
        RuleFor(x => x.ServiceMapId).NotNull().When(x => x.Scope == AccessScope.ServiceMap).WithMessage("Name the service map.");
        RuleFor(x => x.DurationHours).GreaterThan(0).WithMessage("Ask for some hours.")
            .LessThanOrEqualTo(MaxDurationHours).WithMessage($"Ask for at most {MaxDurationHours} hours.");
        RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the access is needed.").MaximumLength(1000);
    }
}

public static class RequestAccessHandler
{
    public static async Task<Result<Accepted>> Handle(RequestAccess command, Actor actor, IDocumentSession session, IOptions<AccessOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.Invalid("No such cluster.", "clusterId");
        ServiceMapView? map = null;
        if (command.Scope == AccessScope.ServiceMap)
        {
            var loaded = await ServiceMapAccess.LoadAsync(session, actor, command.ServiceMapId!.Value, null, ct);
            if (loaded.Failure is not null || loaded.Value!.ClusterId != cluster.Id) return Failure.Invalid("No such service map on that cluster.", "serviceMapId");
            map = loaded.Value;
        }
        var id = Guid.CreateVersion7();
        var decision = AccessRequest.Open(id, actor.UserId, actor.UserName, cluster.Id, cluster.Name, command.Scope!.Value, map?.Id, map?.Name,
            map?.WorkspaceId, command.Role!.Value, TimeSpan.FromHours(command.DurationHours), options.Value.MaxGrantDuration, command.Reason, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<AccessRequest>(id, decision.Events.ToArray());
        return new Accepted(id, 1);
    }
}
