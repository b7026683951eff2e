using k8s;

namespace Cocktail.KubeSim.ContractTests.Infrastructure;

/// <summary>How KubernetesClient 21 surfaces the end of a watch.</summary>
public static class WatchStreams
{
    /// <summary>
    /// Reads a watch until the server closes it. KubernetesClient reports a server-side close (timeout or dropped
    /// connection) either as the end of the enumeration or as an HttpRequestException wrapping an
    /// EndOfStreamException, depending on where the read was; both mean "the server ended the watch".
    /// </summary>
    public static async Task<List<(WatchEventType Type, T Item)>> ReadUntilClosed<T>(IAsyncEnumerable<(WatchEventType, T)> watch)
    {
        var events = new List<(WatchEventType, T)>();
        try
        {
            await foreach (var e in watch) events.Add(e);
        }
        catch (HttpRequestException e) when (e.InnerException is EndOfStreamException or IOException)
        {
        }
        return events;
    }
}
