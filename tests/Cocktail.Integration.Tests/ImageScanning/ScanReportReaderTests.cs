using System.Text;
using Cocktail.Application.ImageScanning.Reports;
using Cocktail.Domain.ImageScanning;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>
/// Scanner output becomes a scan only when it is a whole report of the right kind within every bound; anything else is
/// a failure with a reason and no scan, never an image with fewer findings than it has.
/// </summary>
public sealed class ScanReportReaderTests
{
    private const string Digest = "sha256:4f1c0d6a0b4c8f3e2d1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e";
    private const string Repository = "payments/api";
    private static readonly DateTimeOffset ScannedAt = new(2026, 12, 3, 4, 0, 0, TimeSpan.Zero);

    // The shape of `trivy image --format json` (SchemaVersion 2), trimmed to the fields that matter plus a few others.
    private const string TrivyReport = """
        {
          "SchemaVersion": 2,
          "CreatedAt": "2026-12-03T04:00:00.123456789Z",
          "ArtifactName": "registry.example.com/payments/api:2.1",
          "ArtifactType": "container_image",
          "Metadata": {
            "OS": { "Family": "debian", "Name": "12.5" },
            "ImageID": "sha256:9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b",
            "DiffIDs": [ "sha256:1111111111111111111111111111111111111111111111111111111111111111" ],
            "RepoTags": [ "registry.example.com/payments/api:2.1" ],
            "RepoDigests": [ "registry.example.com/payments/api@sha256:4f1c0d6a0b4c8f3e2d1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e" ]
          },
          "Results": [
            {
              "Target": "registry.example.com/payments/api:2.1 (debian 12.5)",
              "Class": "os-pkgs",
              "Type": "debian",
              "Vulnerabilities": [
                {
                  "VulnerabilityID": "CVE-2024-45490",
                  "PkgID": "libexpat1@2.5.0-1",
                  "PkgName": "libexpat1",
                  "InstalledVersion": "2.5.0-1",
                  "FixedVersion": "2.5.0-1+deb12u1",
                  "Status": "fixed",
                  "SeveritySource": "nvd",
                  "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2024-45490",
                  "Title": "libexpat: Negative Length Parsing Vulnerability in libexpat",
                  "Severity": "CRITICAL",
                  "CweIDs": [ "CWE-611" ]
                },
                {
                  "VulnerabilityID": "CVE-2023-45853",
                  "PkgName": "zlib1g",
                  "InstalledVersion": "1:1.2.13.dfsg-1",
                  "Status": "will_not_fix",
                  "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2023-45853",
                  "Title": "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6",
                  "Severity": "HIGH"
                }
              ]
            },
            {
              "Target": "app/package-lock.json",
              "Class": "lang-pkgs",
              "Type": "npm",
              "Vulnerabilities": [
                {
                  "VulnerabilityID": "GHSA-grv7-fg5c-xmjg",
                  "PkgName": "braces",
                  "InstalledVersion": "3.0.2",
                  "FixedVersion": "3.0.3",
                  "PrimaryURL": "https://github.com/advisories/GHSA-grv7-fg5c-xmjg",
                  "Severity": "MEDIUM"
                }
              ]
            }
          ]
        }
        """;

    private static ScanReportReading ReadTrivy(string json, TrivyReportLimits? limits = null) =>
        TrivyReportReader.Read(Encoding.UTF8.GetBytes(json), Repository, Digest, ScannedAt, limits);

    private static void AssertRefused(ScanReportReading reading, ScanReportProblem problem, string reasonPart)
    {
        Assert.False(reading.Succeeded);
        Assert.Null(reading.Scan);
        Assert.Equal(problem, reading.Failure.Problem);
        Assert.Contains(reasonPart, reading.Failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void a_trivy_report_gives_every_finding_of_every_result_for_the_image_scanned()
    {
        var reading = ReadTrivy(TrivyReport);

        Assert.True(reading.Succeeded, reading.Failure?.Reason);
        Assert.Equal(new ImageScan(Digest, Repository, ScannedAt, reading.Scan.Vulnerabilities), reading.Scan);
        Assert.Equal(
            [
                new Vulnerability("CVE-2024-45490", "libexpat1", "2.5.0-1", "2.5.0-1+deb12u1", Severity.Critical,
                    "libexpat: Negative Length Parsing Vulnerability in libexpat", "https://avd.aquasec.com/nvd/cve-2024-45490"),
                new Vulnerability("CVE-2023-45853", "zlib1g", "1:1.2.13.dfsg-1", null, Severity.High,
                    "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6", "https://avd.aquasec.com/nvd/cve-2023-45853"),
                new Vulnerability("GHSA-grv7-fg5c-xmjg", "braces", "3.0.2", "3.0.3", Severity.Medium, null, "https://github.com/advisories/GHSA-grv7-fg5c-xmjg"),
            ],
            reading.Scan.Vulnerabilities);
        Assert.True(reading.Scan.Vulnerabilities[0].HasFix);
        Assert.False(reading.Scan.Vulnerabilities[1].HasFix);
        Assert.Equal(Severity.Critical, reading.Scan.WorstSeverity);
    }

    [Fact]
    public async Task a_trivy_report_read_from_a_stream_gives_the_same_scan()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(TrivyReport));

        var reading = await TrivyReportReader.ReadAsync(stream, Repository, Digest, ScannedAt);

        Assert.Equal(ReadTrivy(TrivyReport).Scan!.Vulnerabilities, reading.Scan!.Vulnerabilities);
    }

    [Fact]
    public void a_trivy_report_whose_results_have_no_vulnerabilities_is_a_clean_scan()
    {
        var reading = ReadTrivy("""
            {
              "SchemaVersion": 2,
              "ArtifactName": "registry.example.com/payments/api:2.2",
              "ArtifactType": "container_image",
              "Results": [
                { "Target": "registry.example.com/payments/api:2.2 (alpine 3.20.3)", "Class": "os-pkgs", "Type": "alpine" },
                { "Target": "app/go.mod", "Class": "lang-pkgs", "Type": "gomod", "Vulnerabilities": null }
              ]
            }
            """);

        Assert.True(reading.Succeeded, reading.Failure?.Reason);
        Assert.Empty(reading.Scan.Vulnerabilities);
        Assert.Null(reading.Scan.WorstSeverity);
    }

    [Fact]
    public void a_trivy_report_without_results_is_a_clean_scan()
    {
        var reading = ReadTrivy("""{ "SchemaVersion": 2, "ArtifactName": "scratch-image", "ArtifactType": "container_image" }""");

        Assert.True(reading.Succeeded, reading.Failure?.Reason);
        Assert.Empty(reading.Scan.Vulnerabilities);
    }

    [Fact]
    public void a_trivy_report_cut_in_the_middle_is_refused_and_gives_no_scan()
    {
        var cut = TrivyReport[..(TrivyReport.IndexOf("\"CVE-2023-45853\"", StringComparison.Ordinal) + 5)];

        var reading = ReadTrivy(cut);

        AssertRefused(reading, ScanReportProblem.NotCompleteJson, "the report is not complete JSON: it ends after");
    }

    [Fact]
    public void every_cut_of_a_trivy_report_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes(TrivyReport);
        for (var length = 0; length < bytes.Length; length++)
        {
            var reading = TrivyReportReader.Read(bytes.AsSpan(0, length), Repository, Digest, ScannedAt);
            Assert.False(reading.Succeeded, $"a report cut after {length} bytes was read as a scan");
            Assert.Equal(ScanReportProblem.NotCompleteJson, reading.Failure.Problem);
        }
    }

    [Fact]
    public void malformed_json_is_refused_without_echoing_the_report()
    {
        const string secret = "ghp_s3cr3tT0kenThatMustNotLeak";
        var reading = ReadTrivy($$"""{ "SchemaVersion": 2, "Results": [ { "Target": {{secret}} } ] }""");

        AssertRefused(reading, ScanReportProblem.NotCompleteJson, "the report is not complete JSON: malformed at line 1");
        Assert.DoesNotContain("s3cr3t", reading.Failure!.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "SchemaVersion": 1, "Results": [] }""")]
    [InlineData("""{ "SchemaVersion": "2", "Results": [] }""")]
    [InlineData("""{ "ArtifactName": "x", "Results": [] }""")]
    [InlineData("""[ { "Target": "php-app/composer.lock", "Vulnerabilities": null } ]""")]
    public void a_report_without_schema_version_2_is_not_read_as_a_trivy_report(string json)
    {
        AssertRefused(ReadTrivy(json), ScanReportProblem.NotThisReport, "not a");
    }

    [Fact]
    public void a_wrong_schema_version_says_which_schema_is_expected()
    {
        var reading = ReadTrivy("""{ "SchemaVersion": 1, "Results": [] }""");

        Assert.Equal("the report is not a Trivy JSON report (SchemaVersion 2)", reading.Failure!.Reason);
    }

    [Fact]
    public async Task a_stream_longer_than_the_byte_bound_is_refused_even_when_its_length_is_unknown()
    {
        using var stream = new UnseekableStream(Encoding.UTF8.GetBytes(TrivyReport));

        var reading = await TrivyReportReader.ReadAsync(stream, Repository, Digest, ScannedAt, new TrivyReportLimits(MaxBytes: 100));

        AssertRefused(reading, ScanReportProblem.TooLarge, "larger than the bound of 100 bytes");
    }

    [Fact]
    public void a_report_exactly_as_deep_as_the_bound_is_read()
    {
        var limits = new TrivyReportLimits(MaxDepth: 6);

        Assert.True(ReadTrivy(TrivyReport, limits).Succeeded);
    }

    public static TheoryData<TrivyReportLimits, ScanReportProblem, string> ExceededBounds => new()
    {
        { new TrivyReportLimits(MaxBytes: 100), ScanReportProblem.TooLarge, "the report is larger than the bound of 100 bytes" },
        // Root, Results, a result, its Vulnerabilities, a finding, its CweIDs: six levels.
        { new TrivyReportLimits(MaxDepth: 5), ScanReportProblem.TooDeep, "the report nests JSON deeper than the bound of 5 levels" },
        { new TrivyReportLimits(MaxFindings: 2), ScanReportProblem.TooManyFindings, "the report has more findings than the bound of 2" },
    };

    [Theory]
    [MemberData(nameof(ExceededBounds))]
    public void a_report_past_a_bound_is_refused_with_a_reason_naming_the_bound(TrivyReportLimits limits, ScanReportProblem problem, string reason)
    {
        var reading = ReadTrivy(TrivyReport, limits);

        AssertRefused(reading, problem, reason);
        Assert.Equal(reason, reading.Failure!.Reason);
    }

    [Fact]
    public void a_report_with_exactly_as_many_findings_as_the_bound_is_read()
    {
        Assert.True(ReadTrivy(TrivyReport, new TrivyReportLimits(MaxFindings: 3)).Succeeded);
    }

    [Theory]
    [InlineData("NEGLIGIBLE")]
    [InlineData("UNKNOWN")]
    [InlineData("")]
    public void a_severity_trivy_does_not_define_reads_as_unknown(string severity)
    {
        var reading = ReadTrivy($$"""
            { "SchemaVersion": 2, "Results": [ { "Target": "t", "Class": "os-pkgs", "Type": "debian", "Vulnerabilities": [
              { "VulnerabilityID": "CVE-2025-0001", "PkgName": "libc6", "InstalledVersion": "2.36-9", "Severity": "{{severity}}" } ] } ] }
            """);

        Assert.Equal(Severity.Unknown, Assert.Single(reading.Scan!.Vulnerabilities).Severity);
    }

    [Fact]
    public void a_finding_without_an_id_refuses_the_whole_report()
    {
        var reading = ReadTrivy("""
            { "SchemaVersion": 2, "Results": [ { "Target": "t", "Vulnerabilities": [
              { "VulnerabilityID": "CVE-2025-0001", "PkgName": "libc6", "InstalledVersion": "2.36-9", "Severity": "HIGH" },
              { "PkgName": "libc6", "InstalledVersion": "2.36-9", "Severity": "CRITICAL" } ] } ] }
            """);

        AssertRefused(reading, ScanReportProblem.Invalid, "Results[0].Vulnerabilities[1] has no VulnerabilityID");
    }

    [Fact]
    public void a_trivy_report_of_another_image_is_refused()
    {
        var reading = TrivyReportReader.Read(Encoding.UTF8.GetBytes(TrivyReport), Repository,
            "sha256:0000000000000000000000000000000000000000000000000000000000000000", ScannedAt);

        AssertRefused(reading, ScanReportProblem.OtherImage, "the report is about another image");
    }

    // A VulnerabilityReport as the Trivy Operator writes it, with the fields its CRD declares.
    private const string VulnerabilityReport = """
        {
          "apiVersion": "aquasecurity.github.io/v1alpha1",
          "kind": "VulnerabilityReport",
          "metadata": {
            "name": "replicaset-api-7d9f8b6c5-api",
            "namespace": "payments",
            "labels": { "trivy-operator.resource.kind": "ReplicaSet", "trivy-operator.container.name": "api" }
          },
          "report": {
            "artifact": {
              "repository": "payments/api",
              "digest": "sha256:4f1c0d6a0b4c8f3e2d1a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e",
              "tag": "2.1"
            },
            "os": { "family": "debian", "name": "12.5" },
            "registry": { "server": "registry.example.com" },
            "scanner": { "name": "Trivy", "vendor": "Aqua Security", "version": "0.58.1" },
            "summary": { "criticalCount": 1, "highCount": 1, "mediumCount": 0, "lowCount": 0, "unknownCount": 0, "noneCount": 0 },
            "updateTimestamp": "2026-12-03T03:58:12Z",
            "vulnerabilities": [
              {
                "vulnerabilityID": "CVE-2024-45490",
                "resource": "libexpat1",
                "installedVersion": "2.5.0-1",
                "fixedVersion": "2.5.0-1+deb12u1",
                "severity": "CRITICAL",
                "title": "libexpat: Negative Length Parsing Vulnerability in libexpat",
                "primaryLink": "https://avd.aquasec.com/nvd/cve-2024-45490",
                "publishedDate": "2024-08-30T03:15:03Z",
                "lastModifiedDate": "2024-09-04T14:28:33Z",
                "score": 9.8,
                "target": "",
                "links": []
              },
              {
                "vulnerabilityID": "CVE-2023-45853",
                "resource": "zlib1g",
                "installedVersion": "1:1.2.13.dfsg-1",
                "fixedVersion": "",
                "severity": "HIGH",
                "title": "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6",
                "primaryLink": "https://avd.aquasec.com/nvd/cve-2023-45853",
                "publishedDate": "2023-10-14T02:15:09Z",
                "lastModifiedDate": "2024-08-01T13:44:58Z"
              }
            ]
          }
        }
        """;

    private static ScanReportReading ReadOperator(string json, TrivyReportLimits? limits = null) =>
        TrivyOperatorReportReader.Read(Encoding.UTF8.GetBytes(json), limits);

    [Fact]
    public void a_vulnerability_report_gives_the_image_it_names_its_update_time_and_its_findings()
    {
        var reading = ReadOperator(VulnerabilityReport);

        Assert.True(reading.Succeeded, reading.Failure?.Reason);
        Assert.Equal(Digest, reading.Scan.Digest);
        Assert.Equal("payments/api", reading.Scan.Repository);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 3, 58, 12, TimeSpan.Zero), reading.Scan.ScannedAt);
        Assert.Equal(
            [
                new Vulnerability("CVE-2024-45490", "libexpat1", "2.5.0-1", "2.5.0-1+deb12u1", Severity.Critical,
                    "libexpat: Negative Length Parsing Vulnerability in libexpat", "https://avd.aquasec.com/nvd/cve-2024-45490"),
                new Vulnerability("CVE-2023-45853", "zlib1g", "1:1.2.13.dfsg-1", null, Severity.High,
                    "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6", "https://avd.aquasec.com/nvd/cve-2023-45853"),
            ],
            reading.Scan.Vulnerabilities);
    }

    [Fact]
    public void a_vulnerability_report_without_a_digest_is_refused()
    {
        var reading = ReadOperator(VulnerabilityReport.Replace(Digest, "", StringComparison.Ordinal));

        AssertRefused(reading, ScanReportProblem.Invalid, "report.artifact.digest is missing");
    }

    [Fact]
    public void another_trivy_operator_report_is_not_read_as_a_vulnerability_report()
    {
        var reading = ReadOperator(VulnerabilityReport.Replace("\"VulnerabilityReport\"", "\"ConfigAuditReport\"", StringComparison.Ordinal));

        AssertRefused(reading, ScanReportProblem.NotThisReport, "not a Trivy Operator VulnerabilityReport (aquasecurity.github.io/v1alpha1)");
    }

    [Fact]
    public void a_vulnerability_report_keeps_the_same_bounds()
    {
        AssertRefused(ReadOperator(VulnerabilityReport, new TrivyReportLimits(MaxFindings: 1)), ScanReportProblem.TooManyFindings, "bound of 1");
        AssertRefused(ReadOperator(VulnerabilityReport, new TrivyReportLimits(MaxDepth: 3)), ScanReportProblem.TooDeep, "bound of 3 levels");
        AssertRefused(ReadOperator(VulnerabilityReport, new TrivyReportLimits(MaxBytes: 1024)), ScanReportProblem.TooLarge, "bound of 1024 bytes");
        AssertRefused(ReadOperator(VulnerabilityReport[..^40]), ScanReportProblem.NotCompleteJson, "not complete JSON");
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
