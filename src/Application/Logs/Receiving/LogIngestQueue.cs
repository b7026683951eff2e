using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Cocktail.Application.Logs.Receiving;

/// <summary>
/// The receiver's bounded queue in front of the <see cref="ILogStore"/>: requests put their lines in and wait until
/// they are stored (so an acknowledged line is a stored line); the writer takes whatever is waiting, up to
/// <see cref="OtlpOptions.MaxAppendLines"/>, and stores it in one append, so many small requests become one bulk load.
/// When <see cref="OtlpOptions.QueueCapacityLines"/> lines already wait, a request is turned away at once (429 with
/// Retry-After, as OTLP asks), never queued without bound and never dropped.
/// </summary>
public sealed class LogIngestQueue(IOptions<OtlpOptions> options)
{
    private readonly Channel<PendingLines> _pending = Channel.CreateUnbounded<PendingLines>(new UnboundedChannelOptions { SingleReader = true });
    private long _queuedLines;

    /// <summary>Lines waiting for the store now.</summary>
    public long QueuedLines => Interlocked.Read(ref _queuedLines);

    /// <summary>Null when the queue is full. A request alone in an empty queue is always taken, whatever its size.</summary>
    public PendingLines? TryEnqueue(IReadOnlyList<IncomingLogLine> lines)
    {
        var after = Interlocked.Add(ref _queuedLines, lines.Count);
        if (after > options.Value.QueueCapacityLines && after != lines.Count)
        {
            Interlocked.Add(ref _queuedLines, -lines.Count);
            return null;
        }
        var pending = new PendingLines(lines);
        _pending.Writer.TryWrite(pending);
        return pending;
    }

    /// <summary>
    /// Takes back lines the writer has not started on (the request gave up waiting): answered 503, they are stored by
    /// nobody, so the sender's retry duplicates nothing. False once the writer has them.
    /// </summary>
    public bool TryWithdraw(PendingLines pending)
    {
        if (!pending.TryMove(PendingLines.Queued, PendingLines.Withdrawn)) return false;
        Interlocked.Add(ref _queuedLines, -pending.Lines.Count);
        return true;
    }

    /// <summary>The writer's next batch: at least one request's lines (waits for one), more while they fit.</summary>
    internal async Task<List<PendingLines>> TakeAsync(CancellationToken ct)
    {
        var batch = new List<PendingLines>();
        var lines = 0;
        var max = options.Value.MaxAppendLines;
        while (batch.Count == 0)
        {
            if (!await _pending.Reader.WaitToReadAsync(ct)) return batch;
            while (lines < max && _pending.Reader.TryPeek(out var next))
            {
                if (batch.Count > 0 && lines + next.Lines.Count > max) break;
                _pending.Reader.TryRead(out _);
                if (!next.TryMove(PendingLines.Queued, PendingLines.Taken)) continue; // withdrawn meanwhile
                batch.Add(next);
                lines += next.Lines.Count;
            }
        }
        return batch;
    }

    internal void Done(PendingLines pending) => Interlocked.Add(ref _queuedLines, -pending.Lines.Count);
}

/// <summary>One request's lines in the queue, and the promise of their fate.</summary>
public sealed class PendingLines(IReadOnlyList<IncomingLogLine> lines)
{
    internal const int Queued = 0, Taken = 1, Withdrawn = 2;
    private int _state;
    private readonly TaskCompletionSource<int> _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<IncomingLogLine> Lines { get; } = lines;

    /// <summary>How many of the lines the store kept; faults when the store failed.</summary>
    public Task<int> Stored => _stored.Task;

    internal bool TryMove(int from, int to) => Interlocked.CompareExchange(ref _state, to, from) == from;
    internal void Complete(int stored) => _stored.TrySetResult(stored);
    internal void Fail(Exception error) => _stored.TrySetException(error);
}
