using Polly;
using Polly.Retry;

namespace Cocktail.Infrastructure.Inventory;

/// <summary>
/// The inventory's background loops (watches, the notification listener, the writer) never give up on a cluster or
/// the database: they retry with jittered exponential back-off between <c>delay</c> and <c>maxDelay</c>.
/// </summary>
internal static class RetryForever
{
    public static ResiliencePipeline Build(TimeSpan delay, TimeSpan maxDelay, Func<Exception, bool> shouldHandle, Action<Exception> onRetry) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && shouldHandle(e)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = delay,
                MaxDelay = maxDelay,
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is { } e) onRetry(e);
                    return default;
                },
            })
            .Build();
}
