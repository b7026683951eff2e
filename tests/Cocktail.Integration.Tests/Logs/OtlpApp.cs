using System.Collections.Concurrent;
using Cocktail.Application.Logs;
using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cocktail.Integration.Tests.Logs;

/// <summary>
/// Cocktail whose log store is a recording one the test can hold shut (to fill the receiver's queue): the receiver's
/// own behaviour, apart from the PostgreSQL store. A small queue and a one-second Retry-After keep the throttling quick.
/// </summary>
public sealed class OtlpApp : CocktailApp
{
    public RecordingLogStore Store { get; } = new();

    public OtlpApp()
    {
        WithSetting("Cocktail:Logs:Otlp:QueueCapacityLines", "50");
        WithSetting("Cocktail:Logs:Otlp:RetryAfter", "00:00:01");
        WithServices(s => s.Replace(ServiceDescriptor.Singleton<ILogStore>(Store)));
    }
}

[CollectionDefinition(Name)]
public sealed class OtlpCollection : ICollectionFixture<OtlpApp>
{
    public const string Name = "otlp";
}

/// <summary>Keeps every appended line; <see cref="Hold"/> makes appends wait until <see cref="Release"/>.</summary>
public sealed class RecordingLogStore : ILogStore
{
    private readonly ConcurrentQueue<IncomingLogLine> _lines = new();
    private volatile TaskCompletionSource _open = Open();

    public IReadOnlyList<IncomingLogLine> Lines => [.. _lines];

    public int Appends;

    public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _open.TrySetResult();

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    public async Task<LogAppendResult> AppendAsync(IReadOnlyList<IncomingLogLine> lines, CancellationToken ct)
    {
        await _open.Task.WaitAsync(ct);
        foreach (var line in lines) _lines.Enqueue(line);
        Interlocked.Increment(ref Appends);
        return new LogAppendResult(lines.Count, lines.Count, lines.Count(l => l.Truncated));
    }

    public Task<LogPage> SearchAsync(LogSearch search, LogVisibility visibility, int limit, string? before, CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<LogLine>> ContextAsync(string lineId, int before, int after, LogVisibility visibility, CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<LogHistogramBucket>> HistogramAsync(LogSearch search, LogVisibility visibility, int buckets, CancellationToken ct) => throw new NotSupportedException();
    public Task<IReadOnlyList<LogLine>> TailAsync(LogSearch search, LogVisibility visibility, string? after, int limit, CancellationToken ct) => throw new NotSupportedException();
    public IAsyncEnumerable<LogLine> ExportAsync(LogSearch search, LogVisibility visibility, int max, CancellationToken ct) => throw new NotSupportedException();
}
