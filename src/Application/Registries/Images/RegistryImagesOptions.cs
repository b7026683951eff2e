namespace Cocktail.Application.Registries.Images;

/// <summary>
/// What the image side of the workspace registry needs beyond <see cref="RegistryOptions"/> (same section,
/// <c>Cocktail:Registry</c>), kept apart so that the shared contract stays as it is.
/// </summary>
public sealed class RegistryImagesOptions
{
    /// <summary>
    /// The secret the registry sends with its notifications (<c>notifications.endpoints[].headers.Authorization:
    /// [Bearer &lt;secret&gt;]</c>). Without one, every notification is refused.
    /// </summary>
    public string? NotificationSecret { get; set; }

    /// <summary>How often the retention rules run.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long Cocktail waits before asking an unreachable registry again (removing a manifest, reading a config).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(30);
}
