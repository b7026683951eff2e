using Cocktail.Application.Charts;
using Cocktail.Application.Charts.AddingRepository;
using Cocktail.Application.Charts.Browsing;
using Cocktail.Application.Charts.ChangingVisibility;
using Cocktail.Application.Charts.ListingRepositories;
using Cocktail.Application.Charts.Refreshing;
using Cocktail.Application.Charts.RemovingRepository;
using Cocktail.Application.Common;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>
/// A chart repository as clients send it: <c>kind</c> Http (<c>url</c> is the http(s) folder holding index.yaml) or
/// Oci (<c>url</c> is oci://host/path and <c>charts</c> names the charts under it); <c>allWorkspaces</c> or
/// <c>workspaceIds</c> say who sees it.
/// </summary>
public sealed record ChartRepositoryRequest(
    string? Name, string? Kind, string? Url, IReadOnlyList<string>? Charts, bool AllWorkspaces, IReadOnlyList<Guid>? WorkspaceIds, string? Reason = null);

public sealed record ChartVisibilityRequest(bool AllWorkspaces, IReadOnlyList<Guid>? WorkspaceIds, string? Reason = null, long? ExpectedVersion = null);

/// <summary>
/// The team catalog: chart repositories (platform admins change them; others see the names of those visible to their
/// workspaces) and, per workspace, the charts its members may browse and install.
/// </summary>
public static class ChartCatalogEndpoints
{
    [WolverineGet("/api/v1/chart-repositories"), Tags("Chart catalog")]
    [ProducesResponseType<IReadOnlyList<ChartRepositoryItem>>(200)]
    public static async Task<IResult> List(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new ListChartRepositories(), http.ToCaller(), ct));

    /// <summary>Reads the repository's index first: a URL that does not answer or serves no index is refused on <c>url</c>.</summary>
    [WolverinePost("/api/v1/chart-repositories"), Tags("Chart catalog")]
    [ProducesResponseType<ChartRepositoryItem>(201), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(409)]
    public static async Task<IResult> Add(ChartRepositoryRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var added = await dispatcher.SendAsync(
            new AddChartRepository(body.Name, body.Kind, body.Url, body.Charts, body.AllWorkspaces, body.WorkspaceIds, body.Reason), caller, ct);
        if (!added.Succeeded) return ApiResults.Problem(added.Failure!);
        var repository = await dispatcher.SendAsync(new GetChartRepository(added.Value!.Id), caller, ct);
        return Results.Created($"/api/v1/chart-repositories/{added.Value.Id}", repository.Value);
    }

    [WolverineGet("/api/v1/chart-repositories/{id}"), Tags("Chart catalog")]
    [ProducesResponseType<ChartRepositoryItem>(200), ProducesResponseType(404)]
    public static async Task<IResult> Get(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetChartRepository(id), http.ToCaller(), ct));

    [WolverinePut("/api/v1/chart-repositories/{id}/visibility"), Tags("Chart catalog")]
    [ProducesResponseType<ChartRepositoryItem>(200), ProducesResponseType(400), ProducesResponseType(403), ProducesResponseType(404), ProducesResponseType(409)]
    public static async Task<IResult> ChangeVisibility(Guid id, ChartVisibilityRequest? body, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct)
    {
        if (body is null) return ApiResults.MissingBody();
        var caller = http.ToCaller();
        var changed = await dispatcher.SendAsync(
            new ChangeChartRepositoryVisibility(id, body.AllWorkspaces, body.WorkspaceIds, body.Reason, body.ExpectedVersion), caller, ct);
        if (!changed.Succeeded) return ApiResults.Problem(changed.Failure!);
        return ApiResults.Ok(await dispatcher.SendAsync(new GetChartRepository(id), caller, ct));
    }

    /// <summary>Reads the index again now; a repository that fails keeps its last listing and the answer says why.</summary>
    [WolverinePost("/api/v1/chart-repositories/{id}/refresh"), Tags("Chart catalog")]
    [ProducesResponseType<ChartRepositoryRefresh>(200), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Refresh(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new RefreshChartRepository(id), http.ToCaller(), ct));

    /// <summary>`?reason=` says why, for the audit trail.</summary>
    [WolverineDelete("/api/v1/chart-repositories/{id}"), Tags("Chart catalog")]
    [ProducesResponseType(204), ProducesResponseType(403), ProducesResponseType(404)]
    public static async Task<IResult> Remove(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? reason)
    {
        var removed = await dispatcher.SendAsync(new RemoveChartRepository(id, reason), http.ToCaller(), ct);
        return removed.Succeeded ? Results.NoContent() : ApiResults.Problem(removed.Failure!);
    }

    /// <summary>Charts of the repositories visible to the workspace whose name, description or keywords contain `q`, by name.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/charts"), Tags("Chart catalog")]
    [ProducesResponseType<Page<ChartSummary>>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> Search(Guid id, HttpContext http, RequestDispatcher dispatcher, CancellationToken ct,
        [FromQuery] string? q, [FromQuery] int? page, [FromQuery] int? pageSize) =>
        ApiResults.Ok(await dispatcher.SendAsync(new SearchCharts(id, q, page ?? 1, pageSize ?? 20), http.ToCaller(), ct));

    /// <summary>A chart's versions (newest first) and, for `version` (default: the newest release), its README, default values and schema.</summary>
    [WolverineGet("/api/v1/workspaces/{id}/charts/{repository}/{chart}"), Tags("Chart catalog")]
    [ProducesResponseType<ChartDetail>(200), ProducesResponseType(400), ProducesResponseType(404)]
    public static async Task<IResult> GetChart(Guid id, string repository, string chart, HttpContext http, RequestDispatcher dispatcher,
        CancellationToken ct, [FromQuery] string? version) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetChart(id, repository, chart, version), http.ToCaller(), ct));
}
