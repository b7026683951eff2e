using System.Globalization;
using Cocktail.Application.Builds;
using Cocktail.Domain.Builds;
using MudBlazor;

namespace Cocktail.Web.Components.Pages.Builds;

/// <summary>How build pages word a run: its status colour, its duration, a digest cut short.</summary>
public static class BuildFormat
{
    public static Color StatusColor(BuildStatus status) => status switch
    {
        BuildStatus.Succeeded => Color.Success,
        BuildStatus.Failed => Color.Error,
        BuildStatus.Running => Color.Info,
        BuildStatus.Cancelled => Color.Warning,
        _ => Color.Default,
    };

    public static bool Ended(BuildStatus status) => status is BuildStatus.Succeeded or BuildStatus.Failed or BuildStatus.Cancelled;

    /// <summary>"1 min 04 s", "12 s"; for a running build, the time so far; "—" before it starts.</summary>
    public static string Duration(BuildView build, DateTimeOffset now)
    {
        if (build.DurationSeconds is { } seconds) return Words(TimeSpan.FromSeconds(seconds));
        if (build.StartedAt is not { } started) return "—";
        return Words((build.EndedAt ?? now) - started);
    }

    public static string Words(TimeSpan span) => span.TotalMinutes >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes} min {span.Seconds:00} s")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalSeconds):0.#} s");

    /// <summary>"sha256:0123456789ab": enough to tell images apart in a list.</summary>
    public static string ShortDigest(string? digest) => digest is null ? "—" : digest.Length > 19 ? digest[..19] : digest;
}
