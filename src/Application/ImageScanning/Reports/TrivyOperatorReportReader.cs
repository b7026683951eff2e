using System.Text.Json;
using Cocktail.Domain.ImageScanning;

namespace Cocktail.Application.ImageScanning.Reports;

/// <summary>
/// Reads one Trivy Operator <c>VulnerabilityReport</c> (<c>aquasecurity.github.io/v1alpha1</c>), as a cluster serves
/// it, into an <see cref="ImageScan"/> of the image it names. Same bounds and the same all-or-nothing rule as
/// <see cref="TrivyReportReader"/>.
/// </summary>
/// <remarks>
/// Fields as the operator's CRD declares them (aquasecurity.github.io_vulnerabilityreports.yaml): <c>report</c>
/// (required) with <c>artifact.repository</c>, <c>artifact.digest</c>, <c>artifact.tag</c>, <c>registry.server</c>,
/// <c>updateTimestamp</c> (date-time, required) and <c>vulnerabilities[]</c> (required) whose items have
/// <c>vulnerabilityID</c>, <c>resource</c>, <c>installedVersion</c>, <c>fixedVersion</c> (required, empty when there is
/// no fix), <c>severity</c> (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN), <c>title</c> and <c>primaryLink</c>.
/// The registry server is not part of <see cref="ImageScan.Repository"/>: Cocktail names repositories without it.
/// </remarks>
public static class TrivyOperatorReportReader
{
    public const string ApiVersion = "aquasecurity.github.io/v1alpha1";
    public const string Kind = "VulnerabilityReport";

    private static readonly FindingFields Fields = new("vulnerabilityID", "resource", "installedVersion", "fixedVersion", "severity", "title", "primaryLink");

    public static async Task<ScanReportReading> ReadAsync(Stream json, TrivyReportLimits? limits = null, CancellationToken ct = default)
    {
        limits ??= TrivyReportLimits.Default;
        var (failure, bytes) = await BoundedJson.ReadAllAsync(json, limits, ct);
        return failure ?? Read(bytes, limits);
    }

    public static ScanReportReading Read(ReadOnlySpan<byte> json, TrivyReportLimits? limits = null)
    {
        limits ??= TrivyReportLimits.Default;
        var failure = BoundedJson.Parse(json, limits, out var document);
        if (failure is not null) return failure;
        using (document)
        {
            var root = document!.RootElement;
            if (BoundedJson.OptionalString(root, "apiVersion", "object", out var apiVersion) is not null ||
                BoundedJson.OptionalString(root, "kind", "object", out var kind) is not null ||
                apiVersion != ApiVersion || kind != Kind)
                return ScanReportReading.Failed(ScanReportProblem.NotThisReport, $"the object is not a Trivy Operator {Kind} ({ApiVersion})");

            failure = BoundedJson.OptionalObject(root, "report", "object", out var report);
            if (failure is not null) return failure;
            if (report is null) return BoundedJson.Invalid("the object has no report");

            failure = BoundedJson.OptionalObject(report.Value, "artifact", "report", out var artifact);
            if (failure is not null) return failure;
            string? repository = null, digest = null;
            if (artifact is not null)
            {
                failure = BoundedJson.OptionalString(artifact.Value, "repository", "report.artifact", out repository)
                          ?? BoundedJson.OptionalString(artifact.Value, "digest", "report.artifact", out digest);
                if (failure is not null) return failure;
            }
            // Without a digest the report is about a tag, which may since point at another image: no verdict from it.
            if (string.IsNullOrWhiteSpace(digest)) return BoundedJson.Invalid("report.artifact.digest is missing, so the report names no image by digest");
            if (string.IsNullOrWhiteSpace(repository)) return BoundedJson.Invalid("report.artifact.repository is missing");

            if (!report.Value.TryGetProperty("updateTimestamp", out var updated) || updated.ValueKind != JsonValueKind.String ||
                !updated.TryGetDateTimeOffset(out var scannedAt))
                return BoundedJson.Invalid("report.updateTimestamp is missing or not a date-time");

            failure = BoundedJson.OptionalArray(report.Value, "vulnerabilities", "report", out var vulnerabilities);
            if (failure is not null) return failure;
            if (vulnerabilities is null) return BoundedJson.Invalid("report.vulnerabilities is missing");

            var findings = new List<Vulnerability>();
            failure = BoundedJson.ReadFindings(vulnerabilities.Value, "report.vulnerabilities", Fields, limits, findings);
            if (failure is not null) return failure;
            return ScanReportReading.Of(new ImageScan(digest, repository, scannedAt, findings));
        }
    }
}
