using Cocktail.Domain.Common;
using Cocktail.Domain.ImageScanning;
using static Cocktail.Domain.Tests.ImageScanning.Scanning;

namespace Cocktail.Domain.Tests.ImageScanning;

public sealed class ImageVerdictTests
{
    const string Repository = "shop/web";
    static readonly ImageScanPolicy BlockCritical = new(BlockCritical: true);

    static Vulnerability Critical(string id, string? fixedVersion = "3.0.13") => new(id, "openssl", "3.0.1", fixedVersion, Severity.Critical);
    static Vulnerability High(string id, string? fixedVersion = "1.3") => new(id, "zlib", "1.2", fixedVersion, Severity.High);

    static ImageScan Scan(DateTimeOffset scannedAt, params Vulnerability[] vulnerabilities) => new(Digest, Repository, scannedAt, vulnerabilities);
    static ImageScan Scan(params Vulnerability[] vulnerabilities) => Scan(Now.AddHours(-1), vulnerabilities);

    static ImageVerdict Decide(ImageScan? scan, ImageScanPolicy policy, params VulnerabilityException[] exceptions) =>
        ImageVerdict.Decide(scan, policy, exceptions, Repository, Digest, Now);

    static VulnerabilityException Exception(string cve, string pattern = Repository, DateTimeOffset? validUntil = null) =>
        Granted(cve, pattern, validUntil ?? Now.AddDays(7), at: Now.AddDays(-1));

    [Fact]
    public void an_image_never_scanned_is_denied_when_the_policy_requires_a_scan()
    {
        var verdict = Decide(null, new ImageScanPolicy(RequireScan: true));

        Assert.False(verdict.Allowed);
        Assert.Equal([DenialReason.NeverScanned], verdict.Reasons);
        Assert.Equal("image shop/web@sha256:ab12cd34ef56… has never been scanned", verdict.Message);
    }

    [Fact]
    public void an_image_never_scanned_is_allowed_when_no_scan_is_required()
    {
        Assert.True(Decide(null, BlockCritical).Allowed);
    }

    [Fact]
    public void a_scan_of_another_digest_counts_as_no_scan()
    {
        var other = Scan() with { Digest = "sha256:" + new string('0', 64) };

        Assert.Equal([DenialReason.NeverScanned], Decide(other, new ImageScanPolicy(RequireScan: true)).Reasons);
    }

    [Fact]
    public void a_scan_exactly_the_maximum_age_old_is_fresh_enough()
    {
        Assert.True(Decide(Scan(Now.AddDays(-7)), new ImageScanPolicy(MaxScanAgeDays: 7)).Allowed);
    }

    [Fact]
    public void a_scan_older_than_the_maximum_age_is_denied_with_its_age()
    {
        var verdict = Decide(Scan(Now.AddDays(-9)), new ImageScanPolicy(MaxScanAgeDays: 7));

        Assert.Equal([DenialReason.ScanTooOld], verdict.Reasons);
        Assert.Equal("image shop/web@sha256:ab12cd34ef56… was scanned 9 days ago (max 7)", verdict.Message);
    }

    [Fact]
    public void a_critical_vulnerability_is_denied_with_its_package_and_fix()
    {
        var verdict = Decide(Scan(Critical("CVE-2024-1234"), High("CVE-2024-2222")), BlockCritical);

        Assert.False(verdict.Allowed);
        Assert.Equal(["CVE-2024-1234"], verdict.Blocking.Select(v => v.VulnerabilityId));
        Assert.Equal("image shop/web@sha256:ab12cd34ef56… has 1 critical vulnerability: CVE-2024-1234 (openssl 3.0.1 → 3.0.13, critical)",
            verdict.Message);
    }

    [Fact]
    public void criticals_are_allowed_when_the_policy_does_not_block_them()
    {
        Assert.True(Decide(Scan(Critical("CVE-2024-1234")), new ImageScanPolicy(MaxHigh: 0)).Allowed);
    }

    [Fact]
    public void with_at_most_zero_high_a_single_high_vulnerability_is_denied()
    {
        var verdict = Decide(Scan(High("CVE-2024-2222", fixedVersion: null)), new ImageScanPolicy(MaxHigh: 0));

        Assert.Equal([DenialReason.Vulnerable], verdict.Reasons);
        Assert.Equal("image shop/web@sha256:ab12cd34ef56… has 1 high (max 0) vulnerability: CVE-2024-2222 (zlib 1.2, high)", verdict.Message);
    }

    [Fact]
    public void exactly_the_maximum_of_high_vulnerabilities_is_allowed()
    {
        Assert.True(Decide(Scan(High("CVE-2024-0001"), High("CVE-2024-0002")), new ImageScanPolicy(MaxHigh: 2)).Allowed);
        Assert.False(Decide(Scan(High("CVE-2024-0001"), High("CVE-2024-0002"), High("CVE-2024-0003")), new ImageScanPolicy(MaxHigh: 2)).Allowed);
    }

    [Fact]
    public void counting_only_fixable_vulnerabilities_ignores_those_without_a_fixed_version()
    {
        var policy = new ImageScanPolicy(BlockCritical: true, MaxHigh: 0, OnlyWithFix: true);

        Assert.True(Decide(Scan(Critical("CVE-2024-1234", fixedVersion: null), High("CVE-2024-2222", fixedVersion: "")), policy).Allowed);

        var verdict = Decide(Scan(Critical("CVE-2024-1234"), Critical("CVE-2024-5678", fixedVersion: null)), policy);
        Assert.Equal("image shop/web@sha256:ab12cd34ef56… has 1 critical vulnerability with a fix: CVE-2024-1234 (openssl 3.0.1 → 3.0.13, critical)",
            verdict.Message);
    }

    [Fact]
    public void an_active_exception_for_the_image_waives_its_vulnerability()
    {
        var verdict = Decide(Scan(Critical("CVE-2024-1234")), BlockCritical, Exception("CVE-2024-1234", pattern: "shop/*"));

        Assert.True(verdict.Allowed);
        Assert.Equal(["CVE-2024-1234"], verdict.Waived.Select(v => v.VulnerabilityId));
    }

    [Fact]
    public void an_exception_expiring_now_no_longer_waives_anything()
    {
        var verdict = Decide(Scan(Critical("CVE-2024-1234")), BlockCritical, Exception("CVE-2024-1234", validUntil: Now));

        Assert.False(verdict.Allowed);
        Assert.Empty(verdict.Waived);
    }

    [Fact]
    public void a_revoked_exception_or_one_for_another_image_waives_nothing()
    {
        var exception = Exception("CVE-2024-1234");
        var revoked = exception.Apply((VulnerabilityExceptionRevoked)exception.Revoke("fixed", Alice, Now.AddMinutes(-1)).Single());

        Assert.False(Decide(Scan(Critical("CVE-2024-1234")), BlockCritical, revoked).Allowed);
        Assert.False(Decide(Scan(Critical("CVE-2024-1234")), BlockCritical, Exception("CVE-2024-1234", pattern: "shop/api*")).Allowed);
    }

    [Fact]
    public void a_waived_vulnerability_leaves_the_others_blocking()
    {
        var verdict = Decide(Scan(Critical("CVE-2024-1234"), Critical("CVE-2024-5678")), BlockCritical, Exception("CVE-2024-1234"));

        Assert.Equal(["CVE-2024-5678"], verdict.Blocking.Select(v => v.VulnerabilityId));
    }

    [Fact]
    public void the_message_names_at_most_five_vulnerabilities_most_severe_first_and_counts_the_rest()
    {
        var scan = Scan([.. Enumerable.Range(1, 4).Select(i => High($"CVE-2024-100{i}")), .. Enumerable.Range(1, 4).Select(i => Critical($"CVE-2024-200{i}"))]);

        var verdict = Decide(scan, new ImageScanPolicy(BlockCritical: true, MaxHigh: 1));

        Assert.Equal("image shop/web@sha256:ab12cd34ef56… has 4 critical and 4 high (max 1) vulnerabilities: " +
            "CVE-2024-2001 (openssl 3.0.1 → 3.0.13, critical), CVE-2024-2002 (openssl 3.0.1 → 3.0.13, critical), " +
            "CVE-2024-2003 (openssl 3.0.1 → 3.0.13, critical), CVE-2024-2004 (openssl 3.0.1 → 3.0.13, critical), " +
            "CVE-2024-1001 (zlib 1.2 → 1.3, high) and 3 more", verdict.Message);
        Assert.Equal(8, verdict.Blocking.Count);
    }

    [Fact]
    public void the_message_stays_short_when_packages_and_versions_are_long()
    {
        var huge = new Vulnerability("CVE-2024-1234", new string('p', 500), new string('1', 500), new string('2', 500), Severity.Critical);

        var verdict = Decide(Scan([.. Enumerable.Range(0, 50).Select(i => huge with { PkgName = huge.PkgName + i })]), BlockCritical);

        Assert.True(verdict.Message.Length < 1000, verdict.Message);
        Assert.EndsWith("and 45 more", verdict.Message);
    }

    [Fact]
    public void a_stale_scan_and_blocking_vulnerabilities_are_both_reported()
    {
        var verdict = Decide(Scan(Now.AddDays(-30), Critical("CVE-2024-1234")), new ImageScanPolicy(BlockCritical: true, MaxScanAgeDays: 7));

        Assert.Equal([DenialReason.ScanTooOld, DenialReason.Vulnerable], verdict.Reasons);
        Assert.StartsWith("image shop/web@sha256:ab12cd34ef56… was scanned 30 days ago (max 7); has 1 critical", verdict.Message);
    }
}
