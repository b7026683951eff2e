using Cocktail.Application.AccessGrants.Granting;
using Cocktail.Application.Clusters;
using Cocktail.Application.Common;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workspaces;
using Cocktail.Domain.Access;
using Cocktail.Domain.Tenancy;
using FluentValidation;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Application.AccessGrants.Requests;

/// <summary>Just-in-time: ask for access for a while; an approver's approval creates the grant.</summary>
/// <remarks>Scope and role are nullable so that a body without them is refused on the field, not read as Cluster/view.</remarks>
public sealed record RequestAccess(Guid ClusterId, AccessScope? Scope, Guid? ServiceMapId, AccessRole? Role, double DurationHours, string Reason)
    : IRequest<Accepted>;

public sealed record ApproveAccessRequest(Guid RequestId, DateTimeOffset? ValidFrom = null) : IRequest<Accepted>;

public sealed record RejectAccessRequest(Guid RequestId, string Reason) : IRequest<Accepted>;

public sealed record ListAccessRequests(AccessRequestState? State = null, bool Mine = false, int Page = 1, int PageSize = 50)
    : IRequest<Page<AccessRequestView>>;

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

public sealed class RejectAccessRequestValidator : AbstractValidator<RejectAccessRequest>
{
    public RejectAccessRequestValidator() => RuleFor(x => x.Reason).NotEmpty().WithMessage("Say why the request is rejected.").MaximumLength(1000);
}

public sealed class AccessRequestView
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string UserName { get; set; } = "";
    public Guid ClusterId { get; set; }
    public string ClusterName { get; set; } = "";
    public AccessScope Scope { get; set; }
    public Guid? ServiceMapId { get; set; }
    public string? ServiceMapName { get; set; }
    public Guid? WorkspaceId { get; set; }
    public AccessRole Role { get; set; }
    public TimeSpan Duration { get; set; }
    public string Reason { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public AccessRequestState State { get; set; }
    public Guid? GrantId { get; set; }
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? RejectionReason { get; set; }

    public static AccessRequestView Create(AccessRequested e) => new()
    {
        Id = e.RequestId, UserId = e.UserId, UserName = e.UserName, ClusterId = e.ClusterId, ClusterName = e.ClusterName, Scope = e.Scope,
        ServiceMapId = e.ServiceMapId, ServiceMapName = e.ServiceMapName, WorkspaceId = e.WorkspaceId, Role = e.Role, Duration = e.Duration,
        Reason = e.Reason, RequestedAt = e.RequestedAt,
    };

    public void Apply(AccessRequestApproved e) { State = AccessRequestState.Approved; GrantId = e.GrantId; DecidedBy = e.ApprovedBy.Name; DecidedAt = e.ApprovedAt; }
    public void Apply(AccessRequestRejected e) { State = AccessRequestState.Rejected; DecidedBy = e.RejectedBy.Name; DecidedAt = e.RejectedAt; RejectionReason = e.Reason; }
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

public static class ApproveAccessRequestHandler
{
    public static async Task<Result<Accepted>> Handle(ApproveAccessRequest command, Actor actor, IDocumentSession session, IMessageContext messages,
        IOptions<AccessOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<AccessRequest>(command.RequestId, ct);
        var view = await session.LoadAsync<AccessRequestView>(command.RequestId, ct);
        if (stream.Aggregate is not { } request || view is null || !await CanDecideAsync(actor, view, session, ct))
            return Failure.NotFound("No such access request.");

        var now = clock.GetUtcNow();
        var validFrom = command.ValidFrom ?? now;
        var grant = new GrantAccess(request.UserId, request.ClusterId, request.Scope, request.ServiceMapId, request.Role, validFrom,
            validFrom + request.Duration, request.Reason);
        var approval = request.Approve(Guid.Empty, actor.Ref, now);
        if (approval.Error is { } refused) return refused;
        var issued = await AccessGrantIssuer.IssueAsync(grant, request.Id, actor, session, messages, options.Value, now, ct);
        if (!issued.Succeeded) return issued;
        stream.AppendMany(request.Approve(issued.Value!.Id, actor.Ref, now).Events.ToArray());
        return issued;
    }

    internal static async Task<bool> CanDecideAsync(Actor actor, AccessRequestView request, IQuerySession session, CancellationToken ct) =>
        await AccessGrantAccess.CanGrantAsync(actor, request.Scope, request.WorkspaceId, session, ct);
}

public static class RejectAccessRequestHandler
{
    public static async Task<Result<Accepted>> Handle(RejectAccessRequest command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var view = await session.LoadAsync<AccessRequestView>(command.RequestId, ct);
        if (view is null || !await ApproveAccessRequestHandler.CanDecideAsync(actor, view, session, ct)) return Failure.NotFound("No such access request.");
        return await AggregateStreams.DecideAsync<AccessRequest>(session, command.RequestId, null,
            r => r.Reject(command.Reason, actor.Ref, clock.GetUtcNow()), "No such access request.", ct);
    }
}

public static class ListAccessRequestsHandler
{
    public static async Task<Result<Page<AccessRequestView>>> Handle(ListAccessRequests query, Actor actor, IQuerySession session, CancellationToken ct)
    {
        IQueryable<AccessRequestView> requests = session.Query<AccessRequestView>();
        if (query.Mine || !actor.CanReadEverything)
        {
            var managed = query.Mine ? [] : (await TenancyAccess.MembershipsAsync(session, actor.UserId, ct))
                .Where(w => w.RoleOf(actor.UserId) == WorkspaceRole.WorkspaceAdmin).Select(w => (Guid?)w.Id).ToArray();
            requests = requests.Where(r => r.UserId == actor.UserId || (r.Scope == AccessScope.ServiceMap && managed.Contains(r.WorkspaceId)));
        }
        if (query.State is { } state) requests = requests.Where(r => r.State == state);
        return await Paging.ToPageAsync(requests.OrderByDescending(r => r.RequestedAt), query.Page, query.PageSize, ct);
    }
}
