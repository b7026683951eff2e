using Cocktail.Application.Registries;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.ImageScanning.Reports;
using Cocktail.Application.ServiceMaps;
using Cocktail.Domain.ImageScanning;
using Cocktail.Domain.Registries;
using Marten;
using Wolverine;
using Microsoft.Extensions.Options;
using Wolverine.Attributes;

namespace Cocktail.Application.ImageScanning.FollowingOperators;

/// <summary>
/// One VulnerabilityReport as a cluster's Trivy Operator keeps it: the image (registry server, repository, tag, digest),
/// the workload it was found in (its <c>trivy-operator.resource.*</c> labels), and the scan read from it when the report
/// is new or changed since the last listing (null when it is unchanged: only its presence counts then).
/// </summary>
public sealed record OperatorReport(string Digest, string Registry, string Repository, string? Tag, string Namespace, string OwnerKind, string OwnerName,
    ImageScan? Scan);

/// <summary>
/// Every VulnerabilityReport a cluster has now (a complete listing). Each changed report's scan is stored by its image
/// digest; the workloads running each image on this cluster are replaced by the listing's, so an image no longer
/// running there is no longer shown as running there.
/// </summary>
[MessageIdentity("Cocktail.Application.ImageScanning.RecordOperatorReports")]
public sealed record RecordOperatorReports(Guid ClusterId, IReadOnlyList<OperatorReport> Reports);

public static class RecordOperatorReportsHandler
{
    public static async Task Handle(RecordOperatorReports message, IDocumentSession session, IOptions<RegistryOptions> registry, IMessageContext messages,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var namespaces = (await session.Query<ServiceMapView>().Where(m => m.ClusterId == message.ClusterId).ToListAsync(ct))
            .GroupBy(m => m.Namespace, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (Guid?)g.First().WorkspaceId, StringComparer.Ordinal);
        var ours = registry.Value.Address;
        var byDigest = message.Reports.GroupBy(r => r.Digest, StringComparer.Ordinal).ToList();
        var digests = byDigest.Select(g => g.Key).ToList();
        var records = (await session.LoadManyAsync<ImageScanRecord>(ct, digests)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var repositoryWorkspaces = new Dictionary<string, Guid?>(StringComparer.Ordinal);

        foreach (var image in byDigest)
        {
            var record = records.GetValueOrDefault(image.Key) ?? new ImageScanRecord { Id = image.Key };
            record.RunningIn.RemoveAll(r => r.ClusterId == message.ClusterId);
            foreach (var report in image)
            {
                var workload = new RunningWorkload(message.ClusterId, report.Namespace, report.OwnerKind, report.OwnerName, namespaces.GetValueOrDefault(report.Namespace));
                if (!record.RunningIn.Contains(workload)) record.RunningIn.Add(workload);
                var workspace = await WorkspaceOfAsync(session, ours, report, repositoryWorkspaces, ct);
                record.Saw(new ScannedImageRef(report.Registry, report.Repository, report.Tag, workspace));
            }
            // The newest report decides; a report no newer than the stored scan (seen again after a restart) adds nothing.
            var newest = image.Where(r => r.Scan is not null).MaxBy(r => r.Scan!.ScannedAt);
            if (newest?.Scan is { } scan && (record.ScannedAt is null || scan.ScannedAt > record.ScannedAt))
            {
                ScanRecording.Apply(session, record, newest.Repository, null, ScanReportReading.Of(scan), ScanSource.TrivyOperator, now);
                await messages.PublishAsync(new ImageScanned(record.Id));
            }
            else
                session.Store(record);
        }

        var gone = await session.Query<ImageScanRecord>().Where(r => r.RunningIn.Any(w => w.ClusterId == message.ClusterId)).ToListAsync(ct);
        foreach (var record in gone.Where(r => !digests.Contains(r.Id)))
        {
            record.RunningIn.RemoveAll(r => r.ClusterId == message.ClusterId);
            session.Store(record);
        }
    }

    /// <summary>A workspace's only when the image is in Cocktail's registry, in a repository that workspace has.</summary>
    static async Task<Guid?> WorkspaceOfAsync(IDocumentSession session, string? ours, OperatorReport report, Dictionary<string, Guid?> known, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(ours) || !string.Equals(report.Registry, ours, StringComparison.OrdinalIgnoreCase) || !RepositoryNames.IsValid(report.Repository))
            return null;
        if (known.TryGetValue(report.Repository, out var workspace)) return workspace;
        var repository = await session.LoadAsync<ImageRepositoryView>(ImageRepository.IdFor(report.Repository), ct);
        return known[report.Repository] = repository?.WorkspaceId;
    }
}
