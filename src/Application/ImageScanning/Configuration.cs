using Cocktail.Domain.ImageScanning;
using JasperFx.Events.Projections;
using Marten;

namespace Cocktail.Application.ImageScanning;

public static class Configuration
{
    /// <summary>Scans by digest with their history, and vulnerability exceptions (one stream each).</summary>
    public static void AddImageScanning(this StoreOptions options)
    {
        // Several writers meet on one digest (a scanner Job's report, a cluster's Trivy Operator, a queued scan): a
        // write over a record changed since it was read is a lost race, retried on fresh state, not a lost scan.
        options.Schema.For<ImageScanRecord>().UseOptimisticConcurrency(true);
        options.Schema.For<ImageScanHistoryEntry>().Index(h => h.At).Index(h => h.Digest);
        // The scanner Jobs' queue (one per digest while it waits or runs).
        options.Schema.For<Scanning.ImageScanJob>();
        options.Projections.Snapshot<VulnerabilityExceptionView>(SnapshotLifecycle.Inline);
        options.Schema.For<VulnerabilityExceptionView>().Index(x => x.WorkspaceId);
        options.Events.AddEventTypes([typeof(VulnerabilityExceptionGranted), typeof(VulnerabilityExceptionRevoked)]);
    }
}
