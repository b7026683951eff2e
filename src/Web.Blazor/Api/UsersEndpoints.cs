using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.Users;
using Cocktail.Application.Users.ChangingDisplayName;
using Cocktail.Application.Users.ChangingPassword;
using Cocktail.Application.Users.ChangingRole;
using Cocktail.Application.Users.Deactivating;
using Cocktail.Application.Users.Listing;
using Cocktail.Application.Users.Reactivating;
using Cocktail.Application.Users.Registering;
using Cocktail.Application.Users.Searching;
using Cocktail.Application.Users.Unlocking;
using Cocktail.Domain.Users;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record UpdateUserRequest(string? DisplayName, PlatformRole? Role, long? ExpectedVersion);
public sealed record ChangePasswordRequest([property: Secret] string? CurrentPassword, [property: Secret] string NewPassword)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>The Users capability: accounts, roles, passwords, and finding colleagues.</summary>
public static class UsersEndpoints
{
    [WolverinePost("/api/v1/users"), Tags("Users")]
    [ProducesResponseType<UserView>(201), ProducesResponseType(400), ProducesResponseType(409)]
    public static async Task<IResult> Register(RegisterUser? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var accepted = await dispatcher.SendAsync(body, caller, ct);
        if (!accepted.Succeeded) return ApiResults.Problem(accepted.Failure!);
        var user = await dispatcher.SendAsync(new GetUser(accepted.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/users/{accepted.Value.Id}", user.Value);
    }

    [WolverineGet("/api/v1/users"), Tags("Users")]
    [ProducesResponseType<Page<UserView>>(200)]
    public static async Task<IResult> List(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? search, [FromQuery] PlatformRole? role, [FromQuery] bool? active, [FromQuery] UserSort? sortBy, [FromQuery] bool? descending, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(
            new ListUsers(search, role, active, sortBy ?? UserSort.UserName, descending ?? false, page ?? 1, pageSize ?? 25),
            http.ToCaller(), ct));

    /// <summary>Any signed-in user finds colleagues by name (at least two characters): id, user name and display name only.</summary>
    [WolverineGet("/api/v1/users/search"), Tags("Users")]
    [ProducesResponseType<IReadOnlyList<UserSummary>>(200), ProducesResponseType(400), ProducesResponseType(401)]
    public static async Task<IResult> Search(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? search) =>
        ApiResults.Ok(await dispatcher.SendAsync(new SearchUsers(search), http.ToCaller(), ct));

    [WolverineGet("/api/v1/users/{id}"), Tags("Users")]
    [ProducesResponseType<UserView>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetUser(id), http.ToCaller(), ct));

    [WolverineGet("/api/v1/me"), Tags("Users")]
    [ProducesResponseType<UserView>(200), ProducesResponseType(401)]
    public static async Task<IResult> Me(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        http.User.UserId() is { } id
            ? ApiResults.Ok(await dispatcher.SendAsync(new GetUser(id), http.ToCaller(), ct))
            : ApiResults.Problem(Failure.Unauthorized());

    /// <summary>Changes the display name and/or the role; each change is its own event.</summary>
    [WolverinePatch("/api/v1/users/{id}"), Tags("Users")]
    [ProducesResponseType<UserView>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Update(Guid id, UpdateUserRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var version = body.ExpectedVersion;
        if (body.DisplayName is { } displayName)
        {
            var renamed = await dispatcher.SendAsync(new ChangeDisplayName(id, displayName, version), caller, ct);
            if (!renamed.Succeeded) return ApiResults.Problem(renamed.Failure!);
            version = version is null ? null : renamed.Value!.Version;
        }
        if (body.Role is { } role)
        {
            var changed = await dispatcher.SendAsync(new ChangeUserRole(id, role, version), caller, ct);
            if (!changed.Succeeded) return ApiResults.Problem(changed.Failure!);
        }
        return ApiResults.Ok(await dispatcher.SendAsync(new GetUser(id), caller, ct));
    }

    [WolverinePost("/api/v1/users/{id}/deactivate"), Tags("Users")]
    public static Task<IResult> Deactivate(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        SendThenGet(new DeactivateUser(id), id, http, dispatcher, ct);

    [WolverinePost("/api/v1/users/{id}/reactivate"), Tags("Users")]
    public static Task<IResult> Reactivate(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        SendThenGet(new ReactivateUser(id), id, http, dispatcher, ct);

    /// <summary>Lifts a sign-in lockout now (platform admins).</summary>
    [WolverinePost("/api/v1/users/{id}/unlock"), Tags("Users")]
    [ProducesResponseType<UserView>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static Task<IResult> Unlock(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        SendThenGet(new UnlockUser(id), id, http, dispatcher, ct);

    /// <summary>Users change their own password with the current one; platform admins reset anyone's (which also unlocks).</summary>
    [WolverinePut("/api/v1/users/{id}/password"), Tags("Users")]
    public static async Task<IResult> ChangePassword(Guid id, ChangePasswordRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var result = await dispatcher.SendAsync(new ChangePassword(id, body.CurrentPassword, body.NewPassword), http.ToCaller(), ct);
        return result.Succeeded ? Results.NoContent() : ApiResults.Problem(result.Failure!);
    }

    private static async Task<IResult> SendThenGet(IRequest<Accepted> command, Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(command, caller, ct);
        return result.Succeeded
            ? ApiResults.Ok(await dispatcher.SendAsync(new GetUser(id), caller, ct))
            : ApiResults.Problem(result.Failure!);
    }
}
