using System.Text.Json;
using Cocktail.Domain.ImageScanning;

namespace Cocktail.Application.ImageScanning.Reports;

/// <summary>
/// Reads what `trivy image --format json` prints (SchemaVersion 2) into an <see cref="ImageScan"/> of the image the
/// caller scanned. A report is taken whole or refused with a reason: a cut-off or oversized report must not read as
/// an image with fewer findings than it has.
/// </summary>
/// <remarks>
/// Fields as Trivy writes them (aquasecurity/trivy pkg/types/report.go and vulnerability.go): top level
/// <c>SchemaVersion</c>, <c>ArtifactName</c>, <c>Metadata.RepoDigests</c>, <c>Results[]</c>; per result <c>Target</c>,
/// <c>Class</c>, <c>Type</c> and <c>Vulnerabilities[]</c> (omitted when empty); per finding <c>VulnerabilityID</c>,
/// <c>PkgName</c>, <c>InstalledVersion</c>, <c>FixedVersion</c>, <c>Severity</c>, <c>Title</c>, <c>PrimaryURL</c>.
/// Trivy omits empty fields, so a missing <c>Results</c> is a clean scan.
/// </remarks>
public static class TrivyReportReader
{
    public const int SchemaVersion = 2;

    private static readonly FindingFields Fields = new("VulnerabilityID", "PkgName", "InstalledVersion", "FixedVersion", "Severity", "Title", "PrimaryURL");

    public static async Task<ScanReportReading> ReadAsync(Stream json, string repository, string digest, DateTimeOffset scannedAt,
        TrivyReportLimits? limits = null, CancellationToken ct = default)
    {
        limits ??= TrivyReportLimits.Default;
        var (failure, bytes) = await BoundedJson.ReadAllAsync(json, limits, ct);
        return failure ?? Read(bytes, repository, digest, scannedAt, limits);
    }

    public static ScanReportReading Read(ReadOnlySpan<byte> json, string repository, string digest, DateTimeOffset scannedAt, TrivyReportLimits? limits = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repository);
        ArgumentException.ThrowIfNullOrWhiteSpace(digest);
        limits ??= TrivyReportLimits.Default;

        var failure = BoundedJson.Parse(json, limits, out var document);
        if (failure is not null) return failure;
        using (document)
        {
            var root = document!.RootElement;
            if (!root.TryGetProperty("SchemaVersion", out var version) || version.ValueKind != JsonValueKind.Number ||
                !version.TryGetInt32(out var number) || number != SchemaVersion)
                return ScanReportReading.Failed(ScanReportProblem.NotThisReport, $"the report is not a Trivy JSON report (SchemaVersion {SchemaVersion})");

            failure = CheckImage(root, digest);
            if (failure is not null) return failure;

            failure = BoundedJson.OptionalArray(root, "Results", "report", out var results);
            if (failure is not null) return failure;

            var findings = new List<Vulnerability>();
            var r = 0;
            IEnumerable<JsonElement> resultItems = results is null ? [] : results.Value.EnumerateArray();
            foreach (var result in resultItems)
            {
                var path = $"Results[{r++}]";
                if (result.ValueKind != JsonValueKind.Object) return BoundedJson.Invalid($"{path} is not an object");
                failure = BoundedJson.OptionalArray(result, "Vulnerabilities", path, out var vulnerabilities);
                if (failure is not null) return failure;
                if (vulnerabilities is null) continue;
                failure = BoundedJson.ReadFindings(vulnerabilities.Value, $"{path}.Vulnerabilities", Fields, limits, findings);
                if (failure is not null) return failure;
            }
            return ScanReportReading.Of(new ImageScan(digest, repository, scannedAt, findings));
        }
    }

    /// <summary>
    /// When Trivy names the image's digests, one of them must be the digest asked about: a report of another image
    /// recorded under this digest would clear or block the wrong image.
    /// </summary>
    private static ScanReportFailure? CheckImage(JsonElement root, string digest)
    {
        var failure = BoundedJson.OptionalObject(root, "Metadata", "report", out var metadata);
        if (failure is not null || metadata is null) return failure;
        failure = BoundedJson.OptionalArray(metadata.Value, "RepoDigests", "Metadata", out var repoDigests);
        if (failure is not null || repoDigests is null || repoDigests.Value.GetArrayLength() == 0) return failure;
        foreach (var repoDigest in repoDigests.Value.EnumerateArray())
        {
            if (repoDigest.ValueKind != JsonValueKind.String) return BoundedJson.Invalid("Metadata.RepoDigests has an entry that is not a string");
            var named = repoDigest.GetString()!;
            var at = named.LastIndexOf('@');
            if (string.Equals(at < 0 ? named : named[(at + 1)..], digest, StringComparison.Ordinal)) return null;
        }
        return new ScanReportFailure(ScanReportProblem.OtherImage,
            $"the report is about another image: none of its Metadata.RepoDigests is {ImageVerdict.ShortDigest(digest)}");
    }
}
