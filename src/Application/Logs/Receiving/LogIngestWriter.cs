using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cocktail.Application.Logs.Receiving;

/// <summary>
/// Drains <see cref="LogIngestQueue"/> into the <see cref="ILogStore"/>, one append per batch of waiting requests. A
/// failed append fails exactly the requests whose lines it held (they answer 503 and their senders retry); nothing is
/// acknowledged before it is stored.
/// </summary>
public sealed partial class LogIngestWriter(LogIngestQueue queue, IServiceScopeFactory scopes, ILogger<LogIngestWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            List<PendingLines> batch;
            try { batch = await queue.TakeAsync(stoppingToken); }
            catch (OperationCanceledException) { return; }
            if (batch.Count > 0) await AppendAsync(batch, stoppingToken);
        }
    }

    private async Task AppendAsync(List<PendingLines> batch, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetService<ILogStore>() ?? throw new LogStoreUnavailableException("No log store is configured.");
            var lines = batch.Count == 1 ? batch[0].Lines : batch.SelectMany(p => p.Lines).ToList();
            var result = await store.AppendAsync(lines, ct);
            // The store reports one count for the whole append; lines it did not keep are charged to the last requests.
            var notStored = Math.Max(0, result.Received - result.Stored);
            for (var i = batch.Count - 1; i >= 0; i--)
            {
                var refused = Math.Min(notStored, batch[i].Lines.Count);
                notStored -= refused;
                batch[i].Complete(batch[i].Lines.Count - refused);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Observations, not decisions: the senders retry on 503, so the batch is only reported, never retried here.
            LogAppendFailed(logger, batch.Sum(p => p.Lines.Count), e.GetType().Name, e.Message);
            foreach (var pending in batch) pending.Fail(e);
        }
        catch (OperationCanceledException e)
        {
            foreach (var pending in batch) pending.Fail(e);
        }
        finally
        {
            foreach (var pending in batch) queue.Done(pending);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Storing {Lines} log lines failed ({Error}: {Message}); their senders are told 503 and retry.")]
    private static partial void LogAppendFailed(ILogger logger, int lines, string error, string message);
}

public sealed class LogStoreUnavailableException(string message) : Exception(message);
