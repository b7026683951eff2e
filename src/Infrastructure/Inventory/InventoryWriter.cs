using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>
/// Gathers inventory changes from every watcher and writes them in ordered batches, one transaction per flush, so
/// hundreds of clusters cost a few writes a second. When the database is away the batch waits and is retried:
/// nothing is dropped.
/// </summary>
public sealed class InventoryWriter(InventoryStore store, IOptions<InventoryOptions> options, ILogger<InventoryWriter> logger)
    : BackgroundService
{
    private const int MaxBatch = 5000;
    private readonly Channel<InventoryOperation> _queue = Channel.CreateUnbounded<InventoryOperation>(
        new UnboundedChannelOptions { SingleReader = true });

    private int _pending;

    public void Enqueue(InventoryOperation operation)
    {
        Interlocked.Increment(ref _pending);
        _queue.Writer.TryWrite(operation);
    }

    /// <summary>Changes waiting to be written (a single-reader channel cannot count itself).</summary>
    public int Pending => Volatile.Read(ref _pending);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<InventoryOperation>(MaxBatch);
        // When the database is away the batch waits and is written again: soon at first, then less often, with jitter.
        var retry = RetryForever.Build(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10),
            e => e is not OperationCanceledException,
            e => logger.LogWarning(e, "Writing {Count} inventory changes failed; retrying", batch.Count));
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            // Gather for a short moment: one transaction for many changes.
            await Task.Delay(options.Value.FlushInterval, stoppingToken);
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var operation)) batch.Add(operation);
            Interlocked.Add(ref _pending, -batch.Count);
            await retry.ExecuteAsync(async ct => await store.ApplyAsync(batch, ct), stoppingToken);
            batch.Clear();
        }
    }
}
