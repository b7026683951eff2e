using Cocktail.Application.Common;
using Cocktail.Application.Registries;
using Cocktail.Application.Registries.CreatingRobots;
using Cocktail.Application.Registries.ListingRobots;
using Cocktail.Application.Registries.RevokingRobots;
using Cocktail.Application.Registries.Robots;
using Cocktail.Domain.Registries;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record CreateRobotAccountBody(string? Name, RobotPermission? Permission, DateTimeOffset? ValidUntil, string? Description);

public sealed record RevokeRobotAccountBody(string? Reason);

/// <summary>Robot accounts of a workspace's registry: listed by members, created and revoked by its admins.</summary>
public static class RobotAccountsEndpoints
{
    [WolverineGet("/api/v1/workspaces/{id}/robot-accounts"), Tags("Registry")]
    [ProducesResponseType<IReadOnlyList<RobotAccountView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> List(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListRobotAccounts(id), http.ToCaller(), ct));

    /// <summary>Creates a robot account; the answer holds its password, which is never shown again.</summary>
    [WolverinePost("/api/v1/workspaces/{id}/robot-accounts"), Tags("Registry")]
    [ProducesResponseType<IssuedRobot>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Create(Guid id, CreateRobotAccountBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        if (body.Permission is null)
            return ApiResults.Problem(Failure.Invalid("Say what the robot may do: Pull or PushPull.", "permission"));
        var result = await dispatcher.SendAsync(new CreateRobotAccount(id, body.Name ?? "", body.Permission.Value, body.ValidUntil, body.Description),
            http.ToCaller(), ct);
        return result.Succeeded
            ? Results.Created($"/api/v1/robot-accounts/{result.Value!.RobotId}", result.Value)
            : ApiResults.Problem(result.Failure!);
    }

    [WolverinePost("/api/v1/robot-accounts/{id}/revoke"), Tags("Registry")]
    [ProducesResponseType<Accepted>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Revoke(Guid id, RevokeRobotAccountBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new RevokeRobotAccount(id, body?.Reason), http.ToCaller(), ct));
}
