using Cocktail.Application.Registries;
using Cocktail.Application.Registries.Images;
using Cocktail.Application.ServiceMaps;
using Cocktail.Application.Workloads;
using Cocktail.Application.Workspaces;
using Marten;

namespace Cocktail.Application.ImageScanning.Viewing;

/// <summary>One container of a workload of the workspace, with the digest its image resolves to (null when unknown).</summary>
public sealed record RunningImage(WorkloadView Workload, string ServiceMap, string Container, string Image, ImageRef Parsed, string? Digest);

/// <summary>
/// Which image digests a workspace has: those its registry holds (scan records name the workspace) and those its
/// workloads run, resolved from their specs through the registry's tags, a digest in the reference, or the tags a
/// scanner saw (a cluster's Trivy Operator reports images of any registry).
/// </summary>
public static class WorkspaceImages
{
    /// <summary>A bound on the workloads read at once for one answer.</summary>
    public const int MaxWorkloads = 5000;

    public static async Task<IReadOnlyList<RunningImage>> RunningAsync(IQuerySession session, WorkspaceView workspace, RegistryOptions registry,
        CancellationToken ct)
    {
        var workloads = await session.Query<WorkloadView>().Where(w => w.WorkspaceId == workspace.Id).OrderBy(w => w.Name).Take(MaxWorkloads).ToListAsync(ct);
        if (workloads.Count == 0) return [];
        var maps = (await session.Query<ServiceMapView>().Where(m => m.WorkspaceId == workspace.Id).ToListAsync(ct)).ToDictionary(m => m.Id, m => m.Name);
        var containers = workloads.SelectMany(w => w.Spec.Containers.Select(c => (Workload: w, Container: c, Parsed: ImageRef.Parse(c.Image))))
            .Where(c => c.Parsed is not null).Select(c => (c.Workload, c.Container, Parsed: c.Parsed!)).ToList();

        var own = registry.Configured ? ImageRef.NormalizeRegistry(registry.Address!) : null;
        var tagged = await session.Query<ImageRepositoryView>().Where(r => r.WorkspaceId == workspace.Id).ToListAsync(ct);
        var byTag = tagged.SelectMany(r => r.Tags.Select(t => (Key: (r.Name, t.Tag), t.Digest))).GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.First().Digest);

        var elsewhere = containers.Where(c => c.Parsed.Digest is null && c.Parsed.Registry != own).Select(c => c.Parsed.Repository).Distinct().ToArray();
        var seen = new Dictionary<(string, string, string?), string>();
        foreach (var repository in elsewhere)
        {
            var records = await session.Query<ImageScanRecord>().Where(r => r.References.Any(x => x.Repository == repository)).Take(100).ToListAsync(ct);
            foreach (var record in records)
            foreach (var reference in record.References.Where(x => x.Repository == repository && (x.WorkspaceId is null || x.WorkspaceId == workspace.Id)))
                seen.TryAdd((ImageRef.NormalizeRegistry(reference.Registry), reference.Repository, reference.Tag), record.Id);
        }

        return containers.Select(c => new RunningImage(c.Workload, maps.GetValueOrDefault(c.Workload.ServiceMapId) ?? "", c.Container.Name, c.Container.Image,
            c.Parsed, Resolve(c.Parsed, own, byTag, seen))).ToList();
    }

    private static string? Resolve(ImageRef image, string? own, Dictionary<(string, string), string> byTag, Dictionary<(string, string, string?), string> seen)
    {
        if (image.Digest is not null) return image.Digest;
        if (image.Registry == own) return byTag.GetValueOrDefault((image.Repository, image.Tag!));
        return seen.GetValueOrDefault((image.Registry, image.Repository, image.Tag));
    }

    /// <summary>
    /// The references of a record this workspace may see: its own registry's, and other registries' (seen running).
    /// Another workspace's repository names never leave it.
    /// </summary>
    public static IEnumerable<ScannedImageRef> Visible(ImageScanRecord record, Guid workspaceId) =>
        record.References.Where(r => r.WorkspaceId == workspaceId || r.WorkspaceId is null);

    /// <summary>The repository the workspace knows the image by (its own first), or the one a workload names it by.</summary>
    public static string? RepositoryOf(ImageScanRecord? record, Guid workspaceId, string workspaceName, IEnumerable<RunningImage> running, string digest)
    {
        if (record is not null)
        {
            var visible = Visible(record, workspaceId).ToList();
            if (visible.FirstOrDefault(r => r.WorkspaceId == workspaceId) is { } mine) return mine.Repository;
            if (record.Scan?.Repository is { } scanned && scanned.StartsWith(workspaceName + "/", StringComparison.Ordinal)) return scanned;
            if (visible.FirstOrDefault() is { } other) return other.Repository;
        }
        return running.FirstOrDefault(r => r.Digest == digest)?.Parsed.Repository;
    }
}
