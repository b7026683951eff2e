using System.Text.Json.Serialization;

namespace Cocktail.Domain.ImageScanning;

/// <summary>How bad a vulnerability is, with Trivy's names, from least to most severe.</summary>
public enum Severity { Unknown, Low, Medium, High, Critical }

/// <summary>One finding of a scanner in one package of an image. No fixed version means no fix is released yet.</summary>
public sealed record Vulnerability(string VulnerabilityId, string PkgName, string InstalledVersion, string? FixedVersion, Severity Severity,
    string? Title = null, string? PrimaryUrl = null)
{
    [JsonIgnore]
    public bool HasFix => !string.IsNullOrWhiteSpace(FixedVersion);
}

/// <summary>What one scan of one image (by digest) found, and when.</summary>
public sealed record ImageScan(string Digest, string Repository, DateTimeOffset ScannedAt, IReadOnlyList<Vulnerability> Vulnerabilities)
{
    public int Count(Severity severity) => Vulnerabilities.Count(v => v.Severity == severity);

    /// <summary>Every severity with how many findings it has (zero included), most severe first.</summary>
    public IReadOnlyList<(Severity Severity, int Count)> CountsBySeverity() =>
        Enum.GetValues<Severity>().Reverse().Select(s => (s, Count(s))).ToList();

    /// <summary>The most severe finding's severity, or null when the scan found nothing.</summary>
    [JsonIgnore]
    public Severity? WorstSeverity => Vulnerabilities.Count == 0 ? null : Vulnerabilities.Max(v => v.Severity);
}
