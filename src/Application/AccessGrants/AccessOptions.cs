namespace Cocktail.Application.AccessGrants;

public sealed class AccessOptions
{
    public const string Section = "Cocktail:Access";

    /// <summary>The longest a grant (or an approved request) may last.</summary>
    public TimeSpan MaxGrantDuration { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The longest a downloaded kubeconfig's token lives (it never outlives the grant).</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long before a grant ends its grantee is warned.</summary>
    public TimeSpan ExpiryWarning { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the watching replica sweeps grants (a safety net under the scheduled messages).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
