using Cocktail.Application.Common;
using Cocktail.Application.Workspaces;
using Cocktail.Application.Workspaces.AssigningClusters;
using Cocktail.Application.Workspaces.ChangingClusterAssignments;
using Cocktail.Application.Workspaces.UnassigningClusters;
using Cocktail.Application.Workspaces.ChangingDetails;
using Cocktail.Application.Workspaces.Creating;
using Cocktail.Application.Workspaces.Deleting;
using Cocktail.Application.Workspaces.Listing;
using Cocktail.Application.Workspaces.ManagingMembers;
using Cocktail.Domain.Tenancy;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

public sealed record CreateWorkspaceRequest(string Name, string? Description, string? Color, Guid? AdminUserId);
public sealed record UpdateWorkspaceRequest(string? Name, string? Description, string? Color, long? ExpectedVersion);
public sealed record MemberRequest(Guid? UserId, string? UserName, WorkspaceRole Role);
public sealed record AssignmentRequest(AssignmentMode Mode, Quota? Quota, PodSecurityLevel? MaxPodSecurity = null);

public static class WorkspacesEndpoints
{
    [WolverinePost("/api/v1/workspaces"), Tags("Workspaces")]
    [ProducesResponseType<WorkspaceView>(201), ProducesResponseType(400), ProducesResponseType(409)]
    public static async Task<IResult> Create(CreateWorkspaceRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var created = await dispatcher.SendAsync(new CreateWorkspace(body.Name, body.Description, body.Color, body.AdminUserId), caller, ct);
        if (!created.Succeeded) return ApiResults.Problem(created.Failure!);
        var workspace = await dispatcher.SendAsync(new GetWorkspace(created.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/workspaces/{created.Value.Id}", workspace.Value);
    }

    [WolverineGet("/api/v1/workspaces"), Tags("Workspaces")]
    [ProducesResponseType<Page<WorkspaceView>>(200)]
    public static async Task<IResult> List(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? search, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListWorkspaces(search, page ?? 1, pageSize ?? 50), http.ToCaller(), ct));

    [WolverineGet("/api/v1/workspaces/{id}"), Tags("Workspaces")]
    [ProducesResponseType<WorkspaceView>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetWorkspace(id), http.ToCaller(), ct));

    [WolverinePatch("/api/v1/workspaces/{id}"), Tags("Workspaces")]
    [ProducesResponseType<WorkspaceView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static Task<IResult> Update(Guid id, UpdateWorkspaceRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? Task.FromResult(ApiResults.MissingBody())
            : SendThenGet(new ChangeWorkspaceDetails(id, body.Name, body.Description, body.Color, body.ExpectedVersion), id, http, dispatcher, ct);

    /// <summary>Only an empty workspace can be deleted (409 while it has service maps). `?reason=` says why, for the audit trail.</summary>
    [WolverineDelete("/api/v1/workspaces/{id}"), Tags("Workspaces")]
    [ProducesResponseType(204), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Delete(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason) =>
        NoContent(await dispatcher.SendAsync(new DeleteWorkspace(id, reason), http.ToCaller(), ct));

    /// <summary>Adds a member, or changes the role of an existing one.</summary>
    [WolverinePost("/api/v1/workspaces/{id}/members"), Tags("Workspaces")]
    [ProducesResponseType<WorkspaceView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static Task<IResult> SetMember(Guid id, MemberRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? Task.FromResult(ApiResults.MissingBody())
            : SendThenGet(new SetWorkspaceMember(id, body.UserId, body.UserName, body.Role), id, http, dispatcher, ct);

    /// <summary>`?reason=` says why, for the audit trail.</summary>
    [WolverineDelete("/api/v1/workspaces/{id}/members/{userId}"), Tags("Workspaces")]
    [ProducesResponseType<WorkspaceView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404)]
    public static Task<IResult> RemoveMember(Guid id, Guid userId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason) =>
        SendThenGet(new RemoveWorkspaceMember(id, userId, reason), id, http, dispatcher, ct);

    /// <summary>The same as DELETE .../members/{userId}, with the user in the query (?userId=).</summary>
    [WolverineDelete("/api/v1/workspaces/{id}/members"), Tags("Workspaces")]
    public static Task<IResult> RemoveMemberByQuery(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] Guid? userId,
        [FromQuery] string? reason) =>
        userId is { } user ? SendThenGet(new RemoveWorkspaceMember(id, user, reason), id, http, dispatcher, ct)
            : Task.FromResult(ApiResults.Problem(Failure.Invalid("Name the member to remove: ?userId=", "userId")));

    [WolverinePost("/api/v1/workspaces/{id}/clusters/{clusterId}"), Tags("Workspaces")]
    [ProducesResponseType<WorkspaceView>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static Task<IResult> Assign(Guid id, Guid clusterId, AssignmentRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? Task.FromResult(ApiResults.MissingBody())
            : SendThenGet(new AssignCluster(id, clusterId, body.Mode, body.Quota, body.MaxPodSecurity), id, http, dispatcher, ct);

    [WolverinePut("/api/v1/workspaces/{id}/clusters/{clusterId}"), Tags("Workspaces")]
    [ProducesResponseType<WorkspaceView>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static Task<IResult> ChangeAssignment(Guid id, Guid clusterId, AssignmentRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        body is null ? Task.FromResult(ApiResults.MissingBody())
            : SendThenGet(new ChangeClusterAssignment(id, clusterId, body.Mode, body.Quota, body.MaxPodSecurity), id, http, dispatcher, ct);

    /// <summary>`?reason=` says why, for the audit trail.</summary>
    [WolverineDelete("/api/v1/workspaces/{id}/clusters/{clusterId}"), Tags("Workspaces")]
    [ProducesResponseType<WorkspaceView>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static Task<IResult> Unassign(Guid id, Guid clusterId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason) =>
        SendThenGet(new UnassignCluster(id, clusterId, reason), id, http, dispatcher, ct);

    private static async Task<IResult> SendThenGet(IRequest<Accepted> command, Guid workspaceId, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var caller = http.ToCaller();
        var result = await dispatcher.SendAsync(command, caller, ct);
        return result.Succeeded ? ApiResults.Ok(await dispatcher.SendAsync(new GetWorkspace(workspaceId), caller, ct)) : ApiResults.Problem(result.Failure!);
    }

    internal static IResult NoContent(Result<Accepted> result) => result.Succeeded ? Results.NoContent() : ApiResults.Problem(result.Failure!);
}
