using System.Collections.Concurrent;

namespace Cocktail.KubeSim.Logs;

/// <summary>
/// What a simulated program really printed (the image builders), kept per container instance instead of the
/// generated lines: the log endpoint serves these lines, and a follow ends when the program ended, as the kubelet
/// closes the stream when the container exits.
/// </summary>
public sealed class RecordedOutput
{
    readonly ConcurrentDictionary<string, ContainerOutput> _outputs = new();

    public ContainerOutput Start(string podUid, string container) => _outputs.GetOrAdd(podUid + "/" + container, _ => new ContainerOutput());

    public ContainerOutput? Find(string podUid, string container) => _outputs.GetValueOrDefault(podUid + "/" + container);

    public void Forget(string podUid)
    {
        foreach (var key in _outputs.Keys.Where(k => k.StartsWith(podUid + "/", StringComparison.Ordinal))) _outputs.TryRemove(key, out _);
    }
}

public sealed class ContainerOutput
{
    readonly List<(DateTimeOffset At, string Text)> _lines = [];
    TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    bool _ended;

    public void Append(DateTimeOffset at, string text)
    {
        lock (_lines)
        {
            foreach (var line in text.Split('\n')) _lines.Add((at, line));
            Signal();
        }
    }

    public void End()
    {
        lock (_lines)
        {
            _ended = true;
            Signal();
        }
    }

    void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    /// <summary>The lines from <paramref name="from"/> on, whether the program ended, and a task that completes at the next change.</summary>
    public (IReadOnlyList<(DateTimeOffset At, string Text)> Lines, bool Ended, Task Changed) Read(int from)
    {
        lock (_lines) return (_lines.Skip(from).ToList(), _ended, _changed.Task);
    }

    public DateTimeOffset LastAt
    {
        get { lock (_lines) return _lines.Count == 0 ? DateTimeOffset.UnixEpoch : _lines[^1].At; }
    }

    public IReadOnlyList<string> Lines()
    {
        lock (_lines) return _lines.Select(l => l.Text).ToList();
    }
}
