using Microsoft.JSInterop;

namespace Cocktail.Web.Session;

/// <summary>
/// The browser's time zone, asked once per circuit, so that times show as the person reading them lives them. Until
/// the browser has answered (or where its zone is unknown to the server) times show in UTC.
/// </summary>
public sealed class BrowserTime(IJSRuntime js, ILogger<BrowserTime> logger)
{
    private Task<TimeZoneInfo?>? _zone;

    public TimeZoneInfo? Known => _zone is { IsCompletedSuccessfully: true } done ? done.Result : null;

    public Task<TimeZoneInfo?> ZoneAsync() => _zone ??= AskAsync();

    private async Task<TimeZoneInfo?> AskAsync()
    {
        try
        {
            await using var module = await js.InvokeAsync<IJSObjectReference>("import", "./js/timezone.js");
            var id = await module.InvokeAsync<string?>("zone");
            return id is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or InvalidOperationException or TaskCanceledException)
        {
            // Prerendering or a closed circuit: the next render asks again.
            logger.LogDebug(e, "The browser's time zone could not be read");
            _zone = null;
            return null;
        }
    }
}
