using Cocktail.Domain.ImageScanning;
using static Cocktail.Domain.Tests.ImageScanning.Scanning;

namespace Cocktail.Domain.Tests.ImageScanning;

public sealed class ImageScanTests
{
    [Fact]
    public void a_scan_counts_its_findings_by_severity_and_knows_the_worst()
    {
        var scan = new ImageScan(Digest, "shop/web", Now, [
            new("CVE-2024-0001", "openssl", "3.0.1", "3.0.13", Severity.Critical),
            new("CVE-2024-0002", "zlib", "1.2", null, Severity.High),
            new("CVE-2024-0003", "curl", "8.0", "8.1", Severity.High),
            new("CVE-2024-0004", "bash", "5.0", null, Severity.Unknown),
        ]);

        Assert.Equal(2, scan.Count(Severity.High));
        Assert.Equal([(Severity.Critical, 1), (Severity.High, 2), (Severity.Medium, 0), (Severity.Low, 0), (Severity.Unknown, 1)],
            scan.CountsBySeverity());
        Assert.Equal(Severity.Critical, scan.WorstSeverity);
    }

    [Fact]
    public void a_clean_scan_has_no_worst_severity()
    {
        Assert.Null(new ImageScan(Digest, "shop/web", Now, []).WorstSeverity);
    }
}
