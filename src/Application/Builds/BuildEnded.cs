using Cocktail.Domain.Builds;
using Wolverine;

namespace Cocktail.Application.Builds;

/// <summary>
/// A build ended (succeeded with its image and digest, failed or was cancelled with a reason): whoever waits on it
/// (a pipeline's build step) hears it without the builds knowing who that is.
/// </summary>
public sealed record BuildEnded(Guid BuildId, BuildStatus Status, string? Image, string? Digest, string? Reason)
{
    /// <summary>The message for each build-ending event among <paramref name="events"/> (just appended).</summary>
    public static IEnumerable<BuildEnded> From(IEnumerable<object> events)
    {
        foreach (var e in events)
            switch (e)
            {
                case BuildSucceeded s: yield return new BuildEnded(s.BuildId, BuildStatus.Succeeded, s.Image, s.Digest, null); break;
                case BuildFailed f: yield return new BuildEnded(f.BuildId, BuildStatus.Failed, null, null, f.Reason); break;
                case BuildCancelled c:
                    yield return new BuildEnded(c.BuildId, BuildStatus.Cancelled, null, null, $"Cancelled by {c.CancelledBy.Name}{(c.Reason is null ? "" : $": {c.Reason}")}.");
                    break;
            }
    }

    public static async Task PublishAsync(IMessageContext messages, IEnumerable<object> events)
    {
        foreach (var ended in From(events)) await messages.PublishAsync(ended);
    }
}
