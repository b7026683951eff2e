using System.Globalization;
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

    private TimeZoneInfo Zone => Known ?? TimeZoneInfo.Utc;

    /// <summary>The zone date inputs are read in, for their labels: "UTC" or the browser's zone ("Europe/Berlin").</summary>
    public string ZoneName => Zone == TimeZoneInfo.Utc || Zone.Id is "Etc/UTC" or "UTC" ? "UTC" : Zone.Id;

    /// <summary>A time as the reader lives it, with its offset ("2026-05-04 14:30 +02"), for text that cannot hold a LocalTime.</summary>
    public string Text(DateTimeOffset at, string format = "yyyy-MM-dd HH:mm")
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        var offset = local.Offset;
        var suffix = offset == TimeSpan.Zero ? " UTC"
            : " " + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(offset.Minutes == 0 ? "hh" : @"hh\:mm", CultureInfo.InvariantCulture);
        return local.ToString(format, CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>The value of an &lt;input type="datetime-local"&gt; for a time, in the browser's zone (<see cref="ZoneName"/>).</summary>
    public string Input(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    /// <summary>An &lt;input type="datetime-local"&gt;'s value read in the browser's zone; null when it is not a date and time.</summary>
    public DateTimeOffset? ParseInput(string? text)
    {
        if (!DateTime.TryParseExact(text, InputFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return null;
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, Zone.GetUtcOffset(unspecified));
    }

    private static readonly string[] InputFormats = ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.fff"];

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
