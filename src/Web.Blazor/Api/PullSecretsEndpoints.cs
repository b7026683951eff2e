using System.Text;
using Cocktail.Application.Common;
using Cocktail.Application.PullSecrets;
using Cocktail.Application.PullSecrets.AddingRegistries;
using Cocktail.Application.PullSecrets.ChangingRegistries;
using Cocktail.Application.PullSecrets.ListingRegistries;
using Cocktail.Application.PullSecrets.Reading;
using Cocktail.Application.PullSecrets.RemovingRegistries;
using Cocktail.Application.PullSecrets.Rotating;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>
/// An external registry as clients send it. <c>kind</c> is DockerHub, Quay, Harbor, Ghcr, Ecr, Acr or Gcr; <c>server</c> is
/// the registry's host (fixed for Docker Hub and GHCR); <c>password</c> is the password or token (ECR: the secret access
/// key, with the access key id as <c>userName</c>; Google: the JSON key with <c>_json_key</c>). The password is accepted
/// here and never answered; on PUT, what is left out stays.
/// </summary>
public sealed record ExternalRegistryRequest(
    string? Name, string? Kind, string? Server, string? UserName, [property: Secret] string? Password, long? ExpectedVersion = null)
{
    private bool PrintMembers(StringBuilder builder) => Redaction.PrintMembers(this, builder);
}

/// <summary>
/// External registries of a workspace (members read, workspace admins change) and the pull secrets Cocktail keeps in
/// every service map namespace: the workspace registry's (a pull robot, rotated before it expires) and one per
/// external registry, named by the namespace's default ServiceAccount.
/// </summary>
public static class PullSecretsEndpoints
{
    [WolverineGet("/api/v1/workspaces/{id}/external-registries"), Tags("Pull secrets")]
    [ProducesResponseType<IReadOnlyList<ExternalRegistryView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> List(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListExternalRegistries(id), http.ToCaller(), ct));

    [WolverinePost("/api/v1/workspaces/{id}/external-registries"), Tags("Pull secrets")]
    [ProducesResponseType<ExternalRegistryView>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Add(Guid id, ExternalRegistryRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var added = await dispatcher.SendAsync(new AddExternalRegistry(id, body.Name, body.Kind, body.Server, body.UserName, body.Password), caller, ct);
        if (!added.Succeeded) return ApiResults.Problem(added.Failure!);
        var registry = await dispatcher.SendAsync(new GetExternalRegistry(added.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/external-registries/{added.Value.Id}", registry.Value);
    }

    [WolverineGet("/api/v1/external-registries/{id}"), Tags("Pull secrets")]
    [ProducesResponseType<ExternalRegistryView>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetExternalRegistry(id), http.ToCaller(), ct));

    [WolverinePut("/api/v1/external-registries/{id}"), Tags("Pull secrets")]
    [ProducesResponseType<ExternalRegistryView>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Change(Guid id, ExternalRegistryRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var changed = await dispatcher.SendAsync(new ChangeExternalRegistry(id, body.Server, body.UserName, body.Password, body.ExpectedVersion), caller, ct);
        if (!changed.Succeeded) return ApiResults.Problem(changed.Failure!);
        return ApiResults.Ok(await dispatcher.SendAsync(new GetExternalRegistry(id), caller, ct));
    }

    /// <summary>`?reason=` says why, for the audit trail.</summary>
    [WolverineDelete("/api/v1/external-registries/{id}"), Tags("Pull secrets")]
    [ProducesResponseType(204), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Remove(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason)
    {
        var removed = await dispatcher.SendAsync(new RemoveExternalRegistry(id, reason), http.ToCaller(), ct);
        return removed.Succeeded ? Results.NoContent() : ApiResults.Problem(removed.Failure!);
    }

    /// <summary>Which pull robot the workspace registry's secret carries and what each service map namespace holds.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/pull-secrets"), Tags("Pull secrets")]
    [ProducesResponseType<PullSecretsOverview>(200), ProducesResponseType(404)]
    public static async Task<IResult> Overview(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetPullSecrets(id), http.ToCaller(), ct));

    /// <summary>A new pull robot now, written everywhere, then the old one revoked (202: the overview shows the outcome).</summary>
    [WolverinePost("/api/v1/workspaces/{id}/pull-secrets/rotate"), Tags("Pull secrets")]
    [ProducesResponseType(202), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Rotate(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        var rotated = await dispatcher.SendAsync(new RotatePullSecrets(id), http.ToCaller(), ct);
        return rotated.Succeeded ? Results.Accepted($"/api/v1/workspaces/{id}/pull-secrets") : ApiResults.Problem(rotated.Failure!);
    }
}
