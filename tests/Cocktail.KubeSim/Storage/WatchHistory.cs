using System.Threading.Channels;

namespace Cocktail.KubeSim.Storage;

/// <summary>
/// The last N changes, like the watch cache's window over etcd's compacted history, plus the live subscribers
/// that each change is fanned out to. Callers hold the store's gate.
/// </summary>
public sealed class WatchHistory(int capacity)
{
    readonly Queue<StoreEvent> _events = new();
    readonly List<Channel<StoreEvent>> _subscribers = [];
    long _compactedThrough;

    /// <summary>Resource versions at or below this can no longer be resumed from: a watch from there gets 410.</summary>
    public long CompactedThrough => _compactedThrough;

    public void Append(StoreEvent change)
    {
        _events.Enqueue(change);
        while (_events.Count > capacity) _compactedThrough = _events.Dequeue().ResourceVersion;
        foreach (var s in _subscribers) s.Writer.TryWrite(change);
    }

    /// <summary>Forgets everything up to <paramref name="resourceVersion"/>, as an etcd compaction does.</summary>
    public void CompactThrough(long resourceVersion)
    {
        while (_events.Count > 0 && _events.Peek().ResourceVersion <= resourceVersion) _events.Dequeue();
        _compactedThrough = Math.Max(_compactedThrough, resourceVersion);
    }

    /// <summary>Events after <paramref name="resourceVersion"/>, or null when that point was compacted away.</summary>
    public List<StoreEvent>? Since(long resourceVersion)
    {
        if (resourceVersion < _compactedThrough) return null;
        return _events.Where(e => e.ResourceVersion > resourceVersion).ToList();
    }

    public Channel<StoreEvent> Subscribe()
    {
        var channel = Channel.CreateUnbounded<StoreEvent>(new UnboundedChannelOptions { SingleReader = true });
        _subscribers.Add(channel);
        return channel;
    }

    public void Unsubscribe(Channel<StoreEvent> channel)
    {
        _subscribers.Remove(channel);
        channel.Writer.TryComplete();
    }

    /// <summary>Ends every open watch stream, as a restarting apiserver or a broken connection would.</summary>
    public void CompleteAll()
    {
        foreach (var s in _subscribers) s.Writer.TryComplete();
        _subscribers.Clear();
    }

    public int SubscriberCount => _subscribers.Count;
}
