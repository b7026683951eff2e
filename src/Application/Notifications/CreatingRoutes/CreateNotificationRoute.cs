using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Notifications.CreatingRoutes;

public sealed record CreateNotificationRoute(
    Guid? WorkspaceId, string? Name, IReadOnlyList<Guid>? ChannelIds, IReadOnlyList<string>? Severities = null, IReadOnlyList<LabelMatcher>? Matchers = null,
    IReadOnlyList<string>? GroupBy = null, int? GroupWaitSeconds = null, int? RepeatIntervalSeconds = null, bool? SendResolved = null)
    : IRequest<Accepted>, IRouteInput;

public sealed class CreateNotificationRouteValidator : AbstractValidator<CreateNotificationRoute>
{
    public CreateNotificationRouteValidator()
    {
        RuleFor(x => x.Name).NotEmpty().WithMessage("Name the route.");
        RuleFor(x => x.ChannelIds).NotEmpty().WithMessage("A route sends to at least one channel.");
        this.AddRouteRules();
    }
}

public static class CreateNotificationRouteHandler
{
    public static async Task<Result<Accepted>> Handle(CreateNotificationRoute command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var scope = await NotificationAccess.CheckAsync(session, actor, command.WorkspaceId, manage: true, ct);
        if (scope.Failure is { } refused) return refused;
        var spec = RouteRules.ToSpec(command, null);
        if (await RouteRules.ChannelsBelongAsync(session, command.WorkspaceId, spec.ChannelIds, ct) is { } foreign) return foreign;
        var id = Guid.CreateVersion7();
        var decision = NotificationRoute.Create(id, command.WorkspaceId, scope.Value, command.Name!, spec, actor.Ref, clock.GetUtcNow());
        if (decision.Error is { } error) return error;
        session.Events.StartStream<NotificationRoute>(id, decision.Events.ToArray());
        return new Accepted(id, decision.Events.Count);
    }
}
