using Cocktail.Application.Common;
using Cocktail.Application.Releases.ChangingValues;
using Cocktail.Application.Releases.Fleet;
using Cocktail.Application.Releases.Flux;
using Cocktail.Application.Releases.Installing;
using Cocktail.Application.Releases.Listing;
using Cocktail.Application.Releases.RollingBack;
using Cocktail.Application.Releases.Uninstalling;
using Cocktail.Application.Releases.Upgrading;
using Cocktail.Application.Releases;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>Values are YAML text (the chart's values.yaml form); none given means the catalog's (or current) values.</summary>
public sealed record InstallAddonBody(string? Version, string? Values, string? Reason);

public sealed record InstallReleaseBody(Guid? ServiceMapId, string? Repository, string? Chart, string? Version, string? Name, string? Values, string? Reason);

public sealed record ReleaseValuesBody(string? Values, string? Reason);

public sealed record UpgradeReleaseBody(string? Version, string? Values, string? Reason);

public sealed record RollBackReleaseBody(int? Revision, string? Reason);

public sealed record FleetUpgradeBody(string? Version, string? Below, List<Guid>? ClusterIds, string? Reason);

public sealed record InstallFluxBody(string? Manifest, string? Url, string? Reason);

/// <summary>
/// Cluster addons, the fleet view, team releases into service maps, and Flux on clusters. Changes are recorded and
/// answered 202: the reconciler writes the Flux objects afterwards, and the release's page follows what Flux reports.
/// Values that break the chart's schema answer 422 with one field error per path (<c>values.replicaCount</c>).
/// </summary>
public static class ReleasesEndpoints
{
    private const string Tag = "Releases";

    [WolverineGet("/api/v1/clusters/{id}/addons"), Tags(Tag)]
    [ProducesResponseType<ClusterAddons>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListAddons(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListClusterAddons(id), http.ToCaller(), ct));

    [WolverinePost("/api/v1/clusters/{id}/addons/{addon}"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(422), ProducesResponseType(503)]
    public static async Task<IResult> InstallAddon(Guid id, string addon, InstallAddonBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return Answer(await dispatcher.SendAsync(new InstallAddon(id, addon, body.Version, body.Values, body.Reason), http.ToCaller(), ct));
    }

    /// <summary>Whether Flux's CRDs and controllers are on the cluster, read now.</summary>
    [WolverineGet("/api/v1/clusters/{id}/flux"), Tags(Tag)]
    [ProducesResponseType<FluxPresenceView>(200), ProducesResponseType(404), ProducesResponseType(503)]
    public static async Task<IResult> GetFlux(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetFluxPresence(id), http.ToCaller(), ct));

    /// <summary>Installs Flux from an install manifest (its text, or its http(s) URL), every document applied with server-side apply.</summary>
    [WolverinePost("/api/v1/clusters/{id}/flux"), Tags(Tag)]
    [ProducesResponseType<FluxPresenceView>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(503)]
    public static async Task<IResult> InstallFlux(Guid id, InstallFluxBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return ApiResults.Ok(await dispatcher.SendAsync(new InstallFlux(id, body.Manifest, body.Url, body.Reason), http.ToCaller(), ct));
    }

    /// <summary>`?below=1.15` keeps the clusters running the addon below that version.</summary>
    [WolverineGet("/api/v1/addons/{key}/fleet"), Tags(Tag)]
    [ProducesResponseType<AddonFleet>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> Fleet(string key, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? below) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetAddonFleet(key, below), http.ToCaller(), ct));

    /// <summary>Upgrades the addon on every cluster running it (below `below`, or the clusters named); says which were skipped and why.</summary>
    [WolverinePost("/api/v1/addons/{key}/fleet-upgrade"), Tags(Tag)]
    [ProducesResponseType<FleetUpgradeResult>(200), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(503)]
    public static async Task<IResult> FleetUpgrade(string key, FleetUpgradeBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var result = await dispatcher.SendAsync(new UpgradeAddonFleet(key, body.Version ?? "", body.Below, body.ClusterIds, body.Reason), http.ToCaller(), ct);
        return result.Succeeded ? Results.Ok(result.Value) : Problem(result.Failure!);
    }

    [WolverineGet("/api/v1/workspaces/{id}/releases"), Tags(Tag)]
    [ProducesResponseType<IReadOnlyList<ChartReleaseView>>(200), ProducesResponseType(404)]
    public static async Task<IResult> ListWorkspaceReleases(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListWorkspaceReleases(id), http.ToCaller(), ct));

    /// <summary>Installs a chart into one of the workspace's service maps (another workspace's map: 404, nothing recorded).</summary>
    [WolverinePost("/api/v1/workspaces/{id}/releases"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(422), ProducesResponseType(503)]
    public static async Task<IResult> InstallRelease(Guid id, InstallReleaseBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return Answer(await dispatcher.SendAsync(new InstallRelease(id, body.ServiceMapId ?? Guid.Empty, body.Repository ?? "", body.Chart ?? "",
            body.Version ?? "", body.Name, body.Values, body.Reason), http.ToCaller(), ct));
    }

    /// <summary>The release, its values as YAML, its revisions and its history (every change with the values before and after).</summary>
    [WolverineGet("/api/v1/releases/{id}"), Tags(Tag)]
    [ProducesResponseType<ReleaseDetails>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetRelease(id), http.ToCaller(), ct));

    [WolverinePut("/api/v1/releases/{id}/values"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(422), ProducesResponseType(503)]
    public static async Task<IResult> ChangeValues(Guid id, ReleaseValuesBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        if (body.Values is null) return ApiResults.Problem(Failure.Invalid("Give the values as YAML ('{}' for none).", "values"));
        return Answer(await dispatcher.SendAsync(new ChangeReleaseValues(id, body.Values, body.Reason), http.ToCaller(), ct));
    }

    [WolverinePost("/api/v1/releases/{id}/upgrade"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409), ProducesResponseType(422), ProducesResponseType(503)]
    public static async Task<IResult> Upgrade(Guid id, UpgradeReleaseBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        return Answer(await dispatcher.SendAsync(new UpgradeRelease(id, body.Version ?? "", body.Values, body.Reason), http.ToCaller(), ct));
    }

    [WolverinePost("/api/v1/releases/{id}/rollback"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> RollBack(Guid id, RollBackReleaseBody? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        if (body.Revision is not { } revision) return ApiResults.Problem(Failure.Invalid("Give the revision to roll back to.", "revision"));
        return Answer(await dispatcher.SendAsync(new RollBackRelease(id, revision, body.Reason), http.ToCaller(), ct));
    }

    /// <summary>`?reason=` says why, for the audit trail. Flux uninstalls the Helm release; the release shows uninstalled once it is gone.</summary>
    [WolverineDelete("/api/v1/releases/{id}"), Tags(Tag)]
    [ProducesResponseType<Accepted>(202), ProducesResponseType(400), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> Uninstall(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason) =>
        Answer(await dispatcher.SendAsync(new UninstallRelease(id, reason), http.ToCaller(), ct));

    private static IResult Answer(Result<Accepted> result) =>
        result.Succeeded ? Results.Accepted($"/api/v1/releases/{result.Value!.Id}", result.Value) : Problem(result.Failure!);

    /// <summary>Values the chart's schema refuses are 422 (the request is well-formed, the chart says no); the rest as everywhere.</summary>
    private static IResult Problem(Failure failure) =>
        failure is { Kind: FailureKind.Invalid, FieldErrors: { Count: > 0 } errors } && errors.Keys.All(k => k.StartsWith("values.", StringComparison.Ordinal))
            ? Results.ValidationProblem(errors.ToDictionary(e => e.Key, e => e.Value), detail: failure.Message,
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "The values do not match the chart's schema.")
            : ApiResults.Problem(failure);
}
