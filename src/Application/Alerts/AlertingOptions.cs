namespace Cocktail.Application.Alerts;

/// <summary>Cocktail:Alerts.</summary>
public sealed class AlertingOptions
{
    public const string Section = "Cocktail:Alerts";

    /// <summary>Whether this replica takes part in evaluating alert rules (one replica evaluates at a time).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often every enabled rule is evaluated.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The flapping guard: a resolved alert fires again only once this long has passed since it resolved.</summary>
    public TimeSpan QuietTime { get; set; } = TimeSpan.FromMinutes(5);
}
