using Cocktail.Application.Common;
using Cocktail.Application.Home.Viewing;
using Cocktail.Application.Navigation.Searching;
using Cocktail.Web.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cocktail.Web.Api;

/// <summary>A person's start page and the top bar's search, each filtered to what the caller may see.</summary>
public static class HomeEndpoints
{
    [WolverineGet("/api/v1/home"), Tags("Home")]
    [ProducesResponseType<HomeView>(200), ProducesResponseType(401)]
    public static async Task<IResult> GetHome(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct) =>
        ApiResults.Ok(await dispatcher.SendAsync(new GetHome(), http.ToCaller(), ct));

    [WolverineGet("/api/v1/search"), Tags("Home")]
    [ProducesResponseType<IReadOnlyList<SearchHit>>(200), ProducesResponseType(400), ProducesResponseType(401)]
    public static async Task<IResult> Search(HttpContext http, RequestDispatcher dispatcher, CancellationToken ct, [FromQuery] string? search) =>
        ApiResults.Ok(await dispatcher.SendAsync(new SearchConsole(search), http.ToCaller(), ct));
}
