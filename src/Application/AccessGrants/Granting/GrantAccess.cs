using Cocktail.Application.AccessGrants.Expiring;
using Cocktail.Application.AccessGrants.WarningOfExpiry;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Users;
using Cocktail.Domain.Access;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.AccessGrants.Granting;

/// <summary>Gives a user time-boxed access to a cluster, or to one service map's namespace.</summary>
public sealed record GrantAccess(
    Guid UserId, Guid ClusterId, AccessScope? Scope, Guid? ServiceMapId, AccessRole? Role, DateTimeOffset? ValidFrom,
    DateTimeOffset ValidUntil, string Reason) : IRequest<Accepted>;

public sealed class GrantAccessValidator : AbstractValidator<GrantAccess>
{
    public GrantAccessValidator()
    {
        RuleFor(x => x.UserId).NotEmpty().WithMessage("Name the user.");
        RuleFor(x => x.ClusterId).NotEmpty().WithMessage("Name the cluster.");
        RuleFor(x => x.Scope).NotNull().IsInEnum().WithMessage("Scope is Cluster or ServiceMap.");
        RuleFor(x => x.Role).NotNull().IsInEnum().WithMessage("Role is view, edit, admin or cluster-admin.");
        RuleFor(x => x.ServiceMapId).NotNull().When(x => x.Scope == AccessScope.ServiceMap).WithMessage("A ServiceMap grant names the service map.");
        RuleFor(x => x.ServiceMapId).Null().When(x => x.Scope == AccessScope.Cluster).WithMessage("A Cluster grant names no service map.");
        RuleFor(x => x.ValidUntil).NotEmpty().WithMessage("Say until when (validUntil, ISO-8601).");
        RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the access is needed.").MaximumLength(1000);
    }
}

public static class GrantAccessHandler
{
    public static async Task<Result<Accepted>> Handle(GrantAccess command, Actor actor, IDocumentSession session, IMessageContext messages,
        IOptions<AccessOptions> options, TimeProvider clock, CancellationToken ct) =>
        await AccessGrantIssuer.IssueAsync(Guid.CreateVersion7(), command, null, actor, session, messages, options.Value, clock.GetUtcNow(), ct);
}

/// <summary>Shared by direct grants and approved requests: checks, the event, and the schedule of its life.</summary>
internal static class AccessGrantIssuer
{
    public static async Task<Result<Accepted>> IssueAsync(Guid id, GrantAccess command, Guid? requestId, Actor actor, IDocumentSession session,
        IMessageContext messages, AccessOptions options, DateTimeOffset now, CancellationToken ct)
    {
        var user = await session.LoadAsync<UserView>(command.UserId, ct);
        if (user is not { Active: true }) return Failure.Invalid("No such active user.", "userId");
        var cluster = await session.LoadAsync<ClusterView>(command.ClusterId, ct);
        if (cluster is null) return Failure.Invalid("No such cluster.", "clusterId");

        ServiceMapView? map = null;
        if (command.Scope == AccessScope.ServiceMap)
        {
            map = await session.LoadAsync<ServiceMapView>(command.ServiceMapId!.Value, ct);
            if (map is null || map.ClusterId != cluster.Id) return Failure.Invalid("No such service map on that cluster.", "serviceMapId");
        }
        if (!await AccessGrantAccess.CanGrantAsync(actor, command.Scope!.Value, map?.WorkspaceId, session, ct))
            return Failure.Forbidden("Only platform admins grant cluster access; workspace admins grant access to their own service maps.");

        var validFrom = command.ValidFrom ?? now;
        var decision = AccessGrant.Grant(id, cluster.Id, cluster.Name, command.Scope.Value, map?.Id, map?.Namespace, map?.WorkspaceId,
            user.Id, user.UserName, command.Role!.Value, validFrom, command.ValidUntil, command.Reason, options.MaxGrantDuration, requestId, actor.Ref, now);
        if (decision.Error is { } error) return error;
        session.Events.StartStream<AccessGrant>(id, decision.Events.ToArray());

        // Its whole life is scheduled now, durably: set up at validFrom, warned ahead of the end, removed at validUntil.
        await AccessGrantSchedule.ActivateAsync(messages, id, validFrom, now);
        await messages.ScheduleAsync(new ExpireAccessGrant(id), command.ValidUntil);
        var warnAt = options.WarnAt(validFrom, command.ValidUntil);
        if (warnAt > now) await messages.ScheduleAsync(new WarnAccessGrantExpiry(id), warnAt);
        return new Accepted(id, 1);
    }
}
