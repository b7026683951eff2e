using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Cocktail.Application.Clusters;
using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ImageScanning;
using Cocktail.Application.ImageScanning.FollowingOperators;
using Cocktail.Application.ImageScanning.Reports;
using Cocktail.Infrastructure.Inventory;
using Cocktail.Infrastructure.Kubernetes;
using k8s;
using k8s.Autorest;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wolverine;

namespace Cocktail.Infrastructure.ImageScanning;

/// <summary>
/// Reads the Trivy Operator's <c>VulnerabilityReport</c>s (<c>aquasecurity.github.io/v1alpha1</c>) of every watched
/// cluster: listed in pages every poll interval on the replica that watches the clusters, each new or changed report
/// (by resourceVersion) read whole with <see cref="TrivyOperatorReportReader"/>. A cluster without the CRD answers 404:
/// it is left alone, quietly, and asked again after <see cref="ImageScanningOptions.OperatorAbsentRetry"/>.
/// </summary>
/// <remarks>
/// A paged list rather than a watch: reports change when the operator rescans (hours apart), and a list per minute
/// carries the set of reports present, which is what tells Cocktail that a workload no longer runs an image.
/// </remarks>
public sealed class TrivyOperatorFeed(
    IServiceScopeFactory scopes, InventorySupervisor supervisor, ClusterClientFactory clients, ICredentialVault vault, IOptions<ImageScanningOptions> options,
    TimeProvider clock, ILogger<TrivyOperatorFeed> logger) : BackgroundService
{
    public const string Group = "aquasecurity.github.io";
    public const string Version = "v1alpha1";
    public const string Plural = "vulnerabilityreports";
    public const int PageSize = 50;

    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _absentUntil = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _nextPoll = new();
    /// <summary>Per cluster, the resourceVersion of each report already read: an unchanged report is not read again.</summary>
    private readonly ConcurrentDictionary<Guid, Dictionary<string, (string Version, OperatorReport Report)>> _seen = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = TimeSpan.FromTicks(Math.Clamp(options.Value.OperatorPollInterval.Ticks, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(5).Ticks));
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var watched = supervisor.WatchedClusters.ToHashSet();
            foreach (var gone in _seen.Keys.Where(k => !watched.Contains(k))) Forget(gone);
            foreach (var clusterId in watched)
            {
                var now = clock.GetUtcNow();
                if (!supervisor.IsSynced(clusterId) || _nextPoll.GetValueOrDefault(clusterId) > now || _absentUntil.GetValueOrDefault(clusterId) > now) continue;
                _nextPoll[clusterId] = now + options.Value.OperatorPollInterval;
                try
                {
                    await PollAsync(clusterId, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Reading the Trivy Operator's reports of cluster {ClusterId} failed; trying again next poll", clusterId);
                }
            }
        }
    }

    private void Forget(Guid clusterId)
    {
        _seen.TryRemove(clusterId, out _);
        _nextPoll.TryRemove(clusterId, out _);
        _absentUntil.TryRemove(clusterId, out _);
    }

    private async Task PollAsync(Guid clusterId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<IQuerySession>();
        if (await session.LoadAsync<ClusterCredential>(clusterId, ct) is not { } credential) return;
        var items = await ListAsync(clusterId, vault.Unprotect(credential.Protected), ct);
        if (items is null) return;
        var seen = _seen.GetOrAdd(clusterId, _ => new Dictionary<string, (string, OperatorReport)>(StringComparer.Ordinal));
        var current = new Dictionary<string, (string Version, OperatorReport Report)>(StringComparer.Ordinal);
        var reports = new List<OperatorReport>();
        foreach (var item in items)
        {
            var (key, version) = Identity(item);
            if (key is null) continue;
            if (version is not null && seen.TryGetValue(key, out var known) && known.Version == version)
            {
                current[key] = known;
                reports.Add(known.Report with { Scan = null });
                continue;
            }
            var report = Read(item, clusterId, key);
            if (report is null) continue;
            current[key] = (version ?? "", report with { Scan = null });
            reports.Add(report);
        }
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync(new RecordOperatorReports(clusterId, reports), ct);
        _seen[clusterId] = current; // only once stored: a failed store reads the same reports again next time
    }

    /// <summary>All reports of the cluster, page by page; null when the cluster has no such CRD or did not answer.</summary>
    private async Task<List<JsonElement>?> ListAsync(Guid clusterId, ClusterConnection connection, CancellationToken ct)
    {
        using var lease = clients.Lease(connection);
        var items = new List<JsonElement>();
        string? next = null;
        try
        {
            do
            {
                var page = await lease.Client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(group: Group, version: Version, plural: Plural,
                    continueParameter: next, limit: PageSize, cancellationToken: ct);
                if (page.TryGetProperty("items", out var pageItems) && pageItems.ValueKind == JsonValueKind.Array)
                    items.AddRange(pageItems.EnumerateArray().Select(i => i.Clone()));
                next = page.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("continue", out var c) && c.ValueKind == JsonValueKind.String
                    ? c.GetString() : null;
            } while (!string.IsNullOrEmpty(next));
            _absentUntil.TryRemove(clusterId, out _);
            return items;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // No Trivy Operator there: nothing to say about it, and no reason to ask every minute.
            _absentUntil[clusterId] = clock.GetUtcNow() + options.Value.OperatorAbsentRetry;
            return null;
        }
        catch (Exception e) when (ClusterCalls.IsUnreachable(e) && !ct.IsCancellationRequested)
        {
            return null;
        }
    }

    private static (string? Key, string? Version) Identity(JsonElement item)
    {
        if (!item.TryGetProperty("metadata", out var meta) || meta.ValueKind != JsonValueKind.Object) return (null, null);
        var ns = Str(meta, "namespace") ?? "";
        var name = Str(meta, "name");
        return name is null ? (null, null) : ($"{ns}/{name}", Str(meta, "resourceVersion"));
    }

    private OperatorReport? Read(JsonElement item, Guid clusterId, string key)
    {
        var reading = TrivyOperatorReportReader.Read(JsonSerializer.SerializeToUtf8Bytes(item), options.Value.Limits);
        if (!reading.Succeeded)
        {
            logger.LogWarning("The VulnerabilityReport {Report} on cluster {ClusterId} was not read: {Reason}", key, clusterId, reading.Failure.Reason);
            return null;
        }
        var meta = item.GetProperty("metadata");
        var labels = meta.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Object ? l : default;
        var report = item.GetProperty("report");
        var registry = report.TryGetProperty("registry", out var r) && r.ValueKind == JsonValueKind.Object ? Str(r, "server") ?? "" : "";
        var tag = report.TryGetProperty("artifact", out var a) && a.ValueKind == JsonValueKind.Object ? Str(a, "tag") : null;
        var ns = (labels.ValueKind == JsonValueKind.Object ? Str(labels, "trivy-operator.resource.namespace") : null) ?? Str(meta, "namespace") ?? "";
        var kind = (labels.ValueKind == JsonValueKind.Object ? Str(labels, "trivy-operator.resource.kind") : null) ?? "";
        var owner = (labels.ValueKind == JsonValueKind.Object ? Str(labels, "trivy-operator.resource.name") : null) ?? "";
        var scan = reading.Scan;
        return new OperatorReport(scan.Digest, registry, scan.Repository, tag, ns, kind, owner, scan);
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
