using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.Notifications;
using Cocktail.Application.Notifications.ChangingChannels;
using Cocktail.Application.Notifications.ChangingRoutes;
using Cocktail.Application.Notifications.CreatingChannels;
using Cocktail.Application.Notifications.CreatingRoutes;
using Cocktail.Application.Notifications.ListingChannels;
using Cocktail.Application.Notifications.ListingRoutes;
using Cocktail.Application.Notifications.ReadingDeliveries;
using Cocktail.Application.Notifications.RemovingChannels;
using Cocktail.Application.Notifications.RemovingRoutes;
using Cocktail.Application.Notifications.Testing;
using Cocktail.Domain.Monitoring;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>
/// A channel as clients send it. <c>type</c> is Webhook, Slack, Teams or Email; <c>url</c> (webhooks), <c>signingKey</c>
/// (the generic webhook; made up when missing and answered once) and <c>smtp.password</c> are secrets: accepted here, never
/// answered by a GET. On PUT, a missing secret keeps the stored one.
/// </summary>
public sealed record NotificationChannelRequest(
    string? Name, string? Type, [property: Secret] string? Url = null, [property: Secret] string? SigningKey = null, SmtpInput? Smtp = null,
    bool? Enabled = null, long? ExpectedVersion = null)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>The channel as created, and its signing key when Cocktail made one up (shown this once).</summary>
public sealed record CreatedChannelResponse(NotificationChannelView Channel, [property: Secret] string? SigningKey)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

public sealed record NotificationRouteRequest(
    string? Name, IReadOnlyList<Guid>? ChannelIds, IReadOnlyList<string>? Severities = null, IReadOnlyList<LabelMatcher>? Matchers = null,
    IReadOnlyList<string>? GroupBy = null, int? GroupWaitSeconds = null, int? RepeatIntervalSeconds = null, bool? SendResolved = null, long? ExpectedVersion = null);

/// <summary>A test notification's delivery: its tries appear under <c>deliveries?deliveryId=</c>.</summary>
public sealed record TestNotificationResponse(Guid DeliveryId, string Log);

/// <summary>
/// Notification channels and routes of a workspace (members read, workspace admins change) and of the platform
/// (platform admins; auditors read), the test notification and each channel's delivery log.
/// </summary>
public static class NotificationChannelsEndpoints
{
    [WolverineGet("/api/v1/workspaces/{id}/notification-channels"), Tags("Notifications")]
    [ProducesResponseType<IReadOnlyList<NotificationChannelView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListChannels(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        NoStore(http, ApiResults.Ok(await dispatcher.SendAsync(new ListNotificationChannels(id), http.ToCaller(), ct)));

    [WolverinePost("/api/v1/workspaces/{id}/notification-channels"), Tags("Notifications")]
    [ProducesResponseType<CreatedChannelResponse>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static Task<IResult> CreateChannel(Guid id, NotificationChannelRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        CreateChannelAsync(id, body, http, dispatcher, ct);

    [WolverineGet("/api/v1/platform/notification-channels"), Tags("Notifications")]
    [ProducesResponseType<IReadOnlyList<NotificationChannelView>>(200), ProducesResponseType(403)]
    public static async Task<IResult> ListPlatformChannels(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        NoStore(http, ApiResults.Ok(await dispatcher.SendAsync(new ListNotificationChannels(null), http.ToCaller(), ct)));

    [WolverinePost("/api/v1/platform/notification-channels"), Tags("Notifications")]
    [ProducesResponseType<CreatedChannelResponse>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(409)]
    public static Task<IResult> CreatePlatformChannel(NotificationChannelRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        CreateChannelAsync(null, body, http, dispatcher, ct);

    [WolverineGet("/api/v1/notification-channels/{id}"), Tags("Notifications")]
    [ProducesResponseType<NotificationChannelView>(200), ProducesResponseType(404)]
    public static async Task<IResult> GetChannel(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        NoStore(http, ApiResults.Ok(await dispatcher.SendAsync(new GetNotificationChannel(id), http.ToCaller(), ct)));

    [WolverinePut("/api/v1/notification-channels/{id}"), Tags("Notifications")]
    [ProducesResponseType<NotificationChannelView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> ChangeChannel(Guid id, NotificationChannelRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        if (body.Type is not null && ChannelRules.Type(body.Type) is null) return ApiResults.Problem(Failure.Invalid(ChannelRules.TypeRule, "type"));
        var caller = http.ToCaller();
        var changed = await dispatcher.SendAsync(new ChangeNotificationChannel(id, body.Name, body.Enabled, body.Url, body.SigningKey, body.Smtp, body.ExpectedVersion),
            caller, ct);
        if (!changed.Succeeded) return ApiResults.Problem(changed.Failure!);
        return NoStore(http, ApiResults.Ok(await dispatcher.SendAsync(new GetNotificationChannel(id), caller, ct)));
    }

    /// <summary>`?reason=` says why, for the audit trail.</summary>
    [WolverineDelete("/api/v1/notification-channels/{id}"), Tags("Notifications")]
    [ProducesResponseType(204), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> RemoveChannel(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason) =>
        NoContent(await dispatcher.SendAsync(new RemoveNotificationChannel(id, reason), http.ToCaller(), ct));

    /// <summary>Sends a made-up alert through the outbox; 202 with the delivery's id, whose tries the delivery log shows.</summary>
    [WolverinePost("/api/v1/notification-channels/{id}/test"), Tags("Notifications")]
    [ProducesResponseType<TestNotificationResponse>(202), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> SendTest(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var sent = await dispatcher.SendAsync(new SendTestNotification(id), http.ToCaller(), ct);
        if (!sent.Succeeded) return ApiResults.Problem(sent.Failure!);
        var log = $"/api/v1/notification-channels/{id}/deliveries?deliveryId={sent.Value!.Id}";
        return Results.Accepted(log, new TestNotificationResponse(sent.Value.Id, log));
    }

    /// <summary>Each try, newest first: when, the status code or error, how long it took, the alert. `?deliveryId=` narrows it to one notification.</summary>
    [WolverineGet("/api/v1/notification-channels/{id}/deliveries"), Tags("Notifications")]
    [ProducesResponseType<IReadOnlyList<NotificationDeliveryAttempt>>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> Deliveries(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] Guid? deliveryId, [FromQuery] int? limit) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListNotificationDeliveries(id, deliveryId, limit ?? 100), http.ToCaller(), ct));

    [WolverineGet("/api/v1/workspaces/{id}/notification-routes"), Tags("Notifications")]
    [ProducesResponseType<IReadOnlyList<NotificationRouteView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListRoutes(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListNotificationRoutes(id), http.ToCaller(), ct));

    [WolverinePost("/api/v1/workspaces/{id}/notification-routes"), Tags("Notifications")]
    [ProducesResponseType<NotificationRouteView>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static Task<IResult> CreateRoute(Guid id, NotificationRouteRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        CreateRouteAsync(id, body, http, dispatcher, ct);

    [WolverineGet("/api/v1/platform/notification-routes"), Tags("Notifications")]
    [ProducesResponseType<IReadOnlyList<NotificationRouteView>>(200), ProducesResponseType(403)]
    public static async Task<IResult> ListPlatformRoutes(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListNotificationRoutes(null), http.ToCaller(), ct));

    [WolverinePost("/api/v1/platform/notification-routes"), Tags("Notifications")]
    [ProducesResponseType<NotificationRouteView>(201), ProducesResponseType(400), ProducesResponseType(403)]
    public static Task<IResult> CreatePlatformRoute(NotificationRouteRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        CreateRouteAsync(null, body, http, dispatcher, ct);

    [WolverinePut("/api/v1/notification-routes/{id}"), Tags("Notifications")]
    [ProducesResponseType<NotificationRouteView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> ChangeRoute(Guid id, NotificationRouteRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var changed = await dispatcher.SendAsync(new ChangeNotificationRoute(id, body.Name, body.ChannelIds, body.Severities, body.Matchers, body.GroupBy,
            body.GroupWaitSeconds, body.RepeatIntervalSeconds, body.SendResolved, body.ExpectedVersion), caller, ct);
        if (!changed.Succeeded) return ApiResults.Problem(changed.Failure!);
        return await RouteAsync(id, caller, dispatcher, ct, created: false);
    }

    [WolverineDelete("/api/v1/notification-routes/{id}"), Tags("Notifications")]
    [ProducesResponseType(204), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> RemoveRoute(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason) =>
        NoContent(await dispatcher.SendAsync(new RemoveNotificationRoute(id, reason), http.ToCaller(), ct));

    private static async Task<IResult> CreateChannelAsync(Guid? workspaceId, NotificationChannelRequest? body, HttpContext http, RequestDispatcher dispatcher,
        CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var created = await dispatcher.SendAsync(new CreateNotificationChannel(workspaceId, body.Name, body.Type, body.Url, body.SigningKey, body.Smtp), caller, ct);
        if (!created.Succeeded) return ApiResults.Problem(created.Failure!);
        var channel = await dispatcher.SendAsync(new GetNotificationChannel(created.Value!.Id), caller, ct);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Created($"/api/v1/notification-channels/{created.Value.Id}", new CreatedChannelResponse(channel.Value!, created.Value.SigningKey));
    }

    private static async Task<IResult> CreateRouteAsync(Guid? workspaceId, NotificationRouteRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var created = await dispatcher.SendAsync(new CreateNotificationRoute(workspaceId, body.Name, body.ChannelIds, body.Severities, body.Matchers, body.GroupBy,
            body.GroupWaitSeconds, body.RepeatIntervalSeconds, body.SendResolved), caller, ct);
        if (!created.Succeeded) return ApiResults.Problem(created.Failure!);
        return await RouteAsync(created.Value!.Id, caller, dispatcher, ct, created: true);
    }

    private static async Task<IResult> RouteAsync(Guid id, Caller caller, RequestDispatcher dispatcher, CancellationToken ct, bool created)
    {
        var routes = await dispatcher.SendAsync(new GetNotificationRoute(id), caller, ct);
        if (!routes.Succeeded) return ApiResults.Problem(routes.Failure!);
        return created ? Results.Created($"/api/v1/notification-routes/{id}", routes.Value) : Results.Ok(routes.Value);
    }

    private static IResult NoContent(Result<Accepted> result) => result.Succeeded ? Results.NoContent() : ApiResults.Problem(result.Failure!);

    private static IResult NoStore(HttpContext http, IResult result)
    {
        http.Response.Headers.CacheControl = "no-store";
        return result;
    }
}
