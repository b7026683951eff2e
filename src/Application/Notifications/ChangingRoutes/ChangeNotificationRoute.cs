using Cocktail.Application.Common;
using Cocktail.Domain.Monitoring;
using FluentValidation;
using Marten;

namespace Cocktail.Application.Notifications.ChangingRoutes;

/// <summary>Changes what is given; the rest of the route stays.</summary>
public sealed record ChangeNotificationRoute(
    Guid RouteId, string? Name = null, IReadOnlyList<Guid>? ChannelIds = null, IReadOnlyList<string>? Severities = null,
    IReadOnlyList<LabelMatcher>? Matchers = null, IReadOnlyList<string>? GroupBy = null, int? GroupWaitSeconds = null, int? RepeatIntervalSeconds = null,
    bool? SendResolved = null, long? ExpectedVersion = null) : IRequest<Accepted>, IRouteInput;

public sealed class ChangeNotificationRouteValidator : AbstractValidator<ChangeNotificationRoute>
{
    public ChangeNotificationRouteValidator()
    {
        RuleFor(x => x.Name).NotEmpty().When(x => x.Name is not null).WithMessage("Name the route.");
        this.AddRouteRules();
    }
}

public static class ChangeNotificationRouteHandler
{
    public static async Task<Result<Accepted>> Handle(ChangeNotificationRoute command, Actor actor, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var found = await NotificationAccess.RouteAsync(session, actor, command.RouteId, manage: true, ct);
        if (found.Failure is { } refused) return refused;
        var route = found.Value!;
        var spec = RouteRules.ToSpec(command, route.Spec);
        if (command.ChannelIds is not null && await RouteRules.ChannelsBelongAsync(session, route.WorkspaceId, spec.ChannelIds, ct) is { } foreign) return foreign;
        return await AggregateStreams.DecideAsync<NotificationRoute>(session, route.Id, command.ExpectedVersion,
            r => r.Change(command.Name ?? route.Name, spec, actor.Ref, clock.GetUtcNow()), NotificationRoute.NoSuchRoute, ct);
    }
}
