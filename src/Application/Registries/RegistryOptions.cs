namespace Cocktail.Application.Registries;

/// <summary>
/// The workspace registry Cocktail fronts (section <c>Cocktail:Registry</c>). Without an <see cref="Address"/> the
/// registry features answer that no registry is configured.
/// </summary>
public sealed class RegistryOptions
{
    public const string Section = "Cocktail:Registry";

    /// <summary>host[:port] as clients and image references use it, for example <c>registry.example.com</c> or <c>127.0.0.1:5000</c>.</summary>
    public string? Address { get; set; }

    /// <summary>Where Cocktail itself reaches the registry's HTTP API; <c>https://{Address}</c> when not set.</summary>
    public Uri? ApiUrl { get; set; }

    /// <summary>The <c>service</c> the registry names in its challenge and Cocktail puts in the token's <c>aud</c>.</summary>
    public string Service { get; set; } = "cocktail-registry";

    /// <summary>The token's <c>iss</c>; the registry's <c>auth.token.issuer</c> must match.</summary>
    public string Issuer { get; set; } = "cocktail";

    /// <summary>How long a token from the realm endpoint lives.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest validity a robot account may be given.</summary>
    public TimeSpan RobotMaxValidity { get; set; } = TimeSpan.FromDays(90);

    public bool Configured => !string.IsNullOrWhiteSpace(Address);

    public Uri EffectiveApiUrl => ApiUrl ?? new Uri($"https://{Address}");
}
