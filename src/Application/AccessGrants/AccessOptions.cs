namespace Cocktail.Application.AccessGrants;

public sealed class AccessOptions
{
    public const string Section = "Cocktail:Access";

    /// <summary>The longest a grant (or an approved request) may last.</summary>
    public TimeSpan MaxGrantDuration { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The longest a downloaded kubeconfig's token lives (it never outlives the grant).</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long before a grant ends its grantee is warned (at most: see <see cref="WarnAt"/>).</summary>
    public TimeSpan ExpiryWarning { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// When a grant's end is near: <see cref="ExpiryWarning"/> before it, or in its last fifth when that is shorter, so
    /// that a grant shorter than the warning time is not "ending soon" from the moment it is made. The grantee's
    /// warning is scheduled for this time and the console flags the grant from then on.
    /// </summary>
    public DateTimeOffset WarnAt(DateTimeOffset validFrom, DateTimeOffset validUntil)
    {
        var lastFifth = (validUntil - validFrom) / 5;
        return validUntil - (lastFifth < ExpiryWarning ? lastFifth : ExpiryWarning);
    }

    /// <summary>An open grant is ending soon from <see cref="WarnAt"/> until its end.</summary>
    public bool EndsSoon(DateTimeOffset validFrom, DateTimeOffset validUntil, DateTimeOffset now) =>
        now >= WarnAt(validFrom, validUntil) && now < validUntil;

    /// <summary>How often the watching replica sweeps grants (a safety net under the scheduled messages).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
