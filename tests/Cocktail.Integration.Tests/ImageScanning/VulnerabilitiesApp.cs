using Cocktail.Application.ImageScanning;
using Cocktail.Domain.ImageScanning;
using Cocktail.Testing;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cocktail.Integration.Tests.ImageScanning;

/// <summary>
/// Cocktail with a registry address (nothing listens: the registry's notifications are posted by the tests) and quick
/// cluster probes. Image scanning is off: the tests store scans themselves, and a push's own scan (failing at once for
/// want of a build cluster) would otherwise race them and overwrite the stored scan.
/// </summary>
public sealed class VulnerabilitiesApp : CocktailApp
{
    public const string RegistryAddress = "registry.cocktail.test:5000";
    public static readonly string NotificationSecret = TestSecrets.Remember("regnotify_" + Guid.NewGuid().ToString("N"));

    public VulnerabilitiesApp()
    {
        WithSetting("Cocktail:Registry:NotificationSecret", NotificationSecret);
        WithSetting("Cocktail:ImageScanning:Enabled", "false");
        WithSetting("Cocktail:Registry:Address", RegistryAddress);
        WithSetting("Cocktail:Registry:ApiUrl", "http://127.0.0.1:9/");
        // The scans here are seeded documents: a real scan of the same push (failed, as there is no build cluster)
        // would race the seed for the same record.
        WithSetting("Cocktail:ImageScanning:Enabled", "false");
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithServices(Builds.RecordingRobots.AddIfMissing);
    }
}

/// <summary>
/// Scan results stored the way the scanners' ingestion stores them (an <see cref="ImageScanRecord"/> by digest and an
/// <see cref="ImageScanHistoryEntry"/> per attempt), written straight through a Marten session of the test host: the
/// views are tested here, the scanning flow that fills these documents is tested with the scanner.
/// </summary>
public static class ScanSeeds
{
    public static Vulnerability Cve(string id, Severity severity, string package = "openssl", string installed = "3.0.1", string? fixedIn = "3.0.9",
        string? title = null) => new(id, package, installed, fixedIn, severity, title ?? $"{package}: {id}", null);

    public static async Task<ImageScanRecord> StoreScanAsync(CocktailApp app, string digest, string repository, string? tag, Guid? workspaceId,
        DateTimeOffset scannedAt, params Vulnerability[] vulnerabilities)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession();
        var record = await session.LoadAsync<ImageScanRecord>(digest) ?? new ImageScanRecord { Id = digest };
        record.Saw(new ScannedImageRef(workspaceId is null ? "docker.io" : VulnerabilitiesApp.RegistryAddress, repository, tag, workspaceId));
        var scan = new ImageScan(digest, repository, scannedAt, vulnerabilities);
        record.Record(scan, ScanSource.Job, scannedAt);
        session.Store(record);
        session.Store(History(record, scannedAt));
        await session.SaveChangesAsync();
        return record;
    }

    /// <summary>An earlier attempt of the same image, for the trend (kept as its own history row).</summary>
    public static async Task StoreHistoryAsync(CocktailApp app, string digest, string repository, Guid workspaceId, DateTimeOffset at, int critical, int high,
        ScanAttemptStatus status = ScanAttemptStatus.Succeeded)
    {
        var store = app.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.LightweightSession();
        session.Store(new ImageScanHistoryEntry
        {
            Id = Guid.CreateVersion7(), Digest = digest, WorkspaceIds = [workspaceId], Repository = repository, Source = ScanSource.Job,
            Status = status, FailureReason = status == ScanAttemptStatus.Failed ? "The report was truncated." : null, At = at, Critical = critical, High = high,
        });
        await session.SaveChangesAsync();
    }

    private static ImageScanHistoryEntry History(ImageScanRecord record, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(), Digest = record.Id, WorkspaceIds = [.. record.WorkspaceIds], Repository = record.Scan!.Repository, Source = ScanSource.Job,
        Status = ScanAttemptStatus.Succeeded, At = at, Critical = record.Critical, High = record.High, Medium = record.Medium, Low = record.Low,
        Unknown = record.Unknown,
    };
}
