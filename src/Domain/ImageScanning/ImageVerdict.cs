namespace Cocktail.Domain.ImageScanning;

/// <summary>Why an image was refused.</summary>
public enum DenialReason { NeverScanned, ScanTooOld, Vulnerable }

/// <summary>
/// Whether an image may run under a policy, and if not why: the reasons, the vulnerabilities that block it (most
/// severe first) and a short message fit for a Kubernetes admission denial. Waived lists what exceptions let through.
/// </summary>
public sealed record ImageVerdict(bool Allowed, IReadOnlyList<DenialReason> Reasons, IReadOnlyList<Vulnerability> Blocking,
    IReadOnlyList<Vulnerability> Waived, string Message)
{
    /// <summary>How many vulnerabilities the message names before "and N more".</summary>
    public const int MaxListed = 5;

    private const int MaxPartLength = 40;

    /// <summary>
    /// Judges the image's latest scan (a scan of another digest counts as none). A scan exactly the maximum age old is
    /// fresh enough; an exception expiring at <paramref name="now"/> no longer waives anything.
    /// </summary>
    public static ImageVerdict Decide(ImageScan? scan, ImageScanPolicy policy, IEnumerable<VulnerabilityException> exceptions,
        string repository, string digest, DateTimeOffset now)
    {
        var image = $"image {repository}@{ShortDigest(digest)}";
        if (scan is null || !string.Equals(scan.Digest, digest, StringComparison.Ordinal))
            return policy.ScanRequired
                ? Denied([DenialReason.NeverScanned], [], [], $"{image} has never been scanned")
                : new ImageVerdict(true, [], [], [], $"{image} is allowed (not scanned, no scan required)");

        var reasons = new List<DenialReason>();
        var problems = new List<string>();
        var age = now - scan.ScannedAt;
        if (policy.MaxScanAgeDays is { } maxDays && age > TimeSpan.FromDays(maxDays))
        {
            reasons.Add(DenialReason.ScanTooOld);
            problems.Add($"was scanned {(int)Math.Ceiling(age.TotalDays)} days ago (max {maxDays})");
        }

        var active = exceptions.Where(e => e.IsActiveAt(now)).ToList();
        var counted = scan.Vulnerabilities.Where(v => !policy.OnlyWithFix || v.HasFix).ToList();
        var waivedOrNot = counted.ToLookup(v => active.Any(e => e.Covers(v.VulnerabilityId, repository, digest, now)));
        var waived = waivedOrNot[true].ToList();
        var open = waivedOrNot[false].ToList();

        var critical = Of(open, Severity.Critical);
        var high = Of(open, Severity.High);
        var blocking = new List<Vulnerability>();
        var counts = new List<string>();
        if (policy.BlockCritical && critical.Count > 0)
        {
            blocking.AddRange(critical);
            counts.Add($"{critical.Count} critical");
        }
        if (policy.MaxHigh is { } maxHigh && high.Count > maxHigh)
        {
            blocking.AddRange(high);
            counts.Add($"{high.Count} high (max {maxHigh})");
        }
        if (blocking.Count > 0)
        {
            reasons.Add(DenialReason.Vulnerable);
            var noun = blocking.Count == 1 ? "vulnerability" : "vulnerabilities";
            problems.Add($"has {string.Join(" and ", counts)} {noun}{(policy.OnlyWithFix ? " with a fix" : "")}: {List(blocking)}");
        }

        return reasons.Count == 0
            ? new ImageVerdict(true, [], [], waived, $"{image} is allowed")
            : Denied(reasons, blocking, waived, $"{image} {string.Join("; ", problems)}");
    }

    private static ImageVerdict Denied(IReadOnlyList<DenialReason> reasons, IReadOnlyList<Vulnerability> blocking,
        IReadOnlyList<Vulnerability> waived, string message) => new(false, reasons, blocking, waived, message);

    private static List<Vulnerability> Of(IEnumerable<Vulnerability> vulnerabilities, Severity severity) =>
        vulnerabilities.Where(v => v.Severity == severity).OrderBy(v => v.VulnerabilityId, StringComparer.Ordinal)
            .ThenBy(v => v.PkgName, StringComparer.Ordinal).ToList();

    private static string List(IReadOnlyList<Vulnerability> blocking)
    {
        var listed = blocking.Take(MaxListed).Select(v =>
            $"{Cut(v.VulnerabilityId)} ({Cut(v.PkgName)} {Cut(v.InstalledVersion)}{(v.HasFix ? " → " + Cut(v.FixedVersion!) : "")}, {v.Severity.ToString().ToLowerInvariant()})");
        var text = string.Join(", ", listed);
        return blocking.Count > MaxListed ? $"{text} and {blocking.Count - MaxListed} more" : text;
    }

    /// <summary>sha256:ab12cd34ef56… : enough to tell images apart in a message.</summary>
    public static string ShortDigest(string digest) =>
        digest.StartsWith("sha256:", StringComparison.Ordinal) && digest.Length > 19 ? digest[..19] + "…" : Cut(digest);

    private static string Cut(string text) => text.Length <= MaxPartLength ? text : text[..(MaxPartLength - 1)] + "…";
}
