using System.Threading.Channels;
using Cocktail.Domain.ImageScanning;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.ImageScanning.Gating;

/// <summary>
/// The webhook's verdicts on their way to the audit trail, off the review's path: a bounded queue (a full queue drops
/// and counts, rather than slow the API server down), drained by <see cref="ImageAdmissionAuditWriter"/>.
/// </summary>
public sealed class ImageAdmissionAudit
{
    public const int Capacity = 20_000;

    private readonly Channel<AdmissionVerdict> _queue = Channel.CreateBounded<AdmissionVerdict>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long _dropped;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Enqueue(AdmissionVerdict verdict)
    {
        if (!_queue.Writer.TryWrite(verdict)) Interlocked.Increment(ref _dropped);
    }

    internal ChannelReader<AdmissionVerdict> Reader => _queue.Reader;
}

/// <summary>
/// Records identical verdicts (cluster, namespace, images, answer) within <see cref="ImageGateOptions.AuditWindow"/>
/// once, with their count, when the window closes; each cluster's verdicts go to a stream per day. A database that
/// does not answer keeps them pending (bounded) and they are written on the next pass.
/// </summary>
public sealed class ImageAdmissionAuditWriter(ImageAdmissionAudit audit, IDocumentStore store, IOptions<ImageGateOptions> options,
    TimeProvider clock, ILogger<ImageAdmissionAuditWriter> logger) : BackgroundService
{
    private const int MaxPending = 50_000;
    private static readonly TimeSpan Pass = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<string, ImageAdmissionDecided> _pending = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var pass = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                pass.CancelAfter(Pass);
                while (await audit.Reader.WaitToReadAsync(pass.Token))
                    while (audit.Reader.TryRead(out var verdict)) Add(verdict);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested) { }
            catch (OperationCanceledException) { break; }
            await FlushAsync(clock.GetUtcNow() - options.Value.AuditWindow, stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        while (audit.Reader.TryRead(out var verdict)) Add(verdict);
        await FlushAsync(DateTimeOffset.MaxValue, cancellationToken); // a stopping host records what it has
    }

    private void Add(AdmissionVerdict v)
    {
        var key = $"{v.ClusterId}|{v.Namespace}|{v.Allowed}|{string.Join(',', v.Images)}";
        if (_pending.TryGetValue(key, out var seen))
        {
            _pending[key] = seen with { RepeatCount = seen.RepeatCount + 1, LastDecidedAt = v.At, Message = v.Message };
            return;
        }
        if (_pending.Count >= MaxPending)
        {
            logger.LogWarning("Image admission verdicts pile up (database not answering?); one is not recorded");
            return;
        }
        _pending[key] = new ImageAdmissionDecided(v.ClusterId, v.ClusterName, v.Namespace, v.Kind, v.Name, v.Operation, v.Images, v.Allowed,
            v.Message, 1, v.At, v.At);
    }

    /// <summary>Writes every entry whose window began before <paramref name="openedBefore"/>, in one transaction.</summary>
    private async Task FlushAsync(DateTimeOffset openedBefore, CancellationToken ct)
    {
        var due = _pending.Where(p => p.Value.DecidedAt <= openedBefore).ToList();
        if (due.Count == 0) return;
        try
        {
            await using var session = store.LightweightSession();
            foreach (var group in due.GroupBy(d => ImageAdmissionDecided.StreamIdFor(d.Value.ClusterId, DateOnly.FromDateTime(d.Value.DecidedAt.UtcDateTime))))
                session.Events.Append(group.Key, group.Select(d => (object)d.Value).ToArray());
            await session.SaveChangesAsync(ct);
            foreach (var (key, _) in due) _pending.Remove(key);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or Marten.Exceptions.MartenCommandException or TimeoutException)
        {
            // Kept for the next pass; the verdicts themselves were answered long ago.
            logger.LogWarning("Recording {Count} image admission verdicts failed; tried again shortly: {Error}", due.Count, e.GetBaseException().Message);
        }
    }
}
