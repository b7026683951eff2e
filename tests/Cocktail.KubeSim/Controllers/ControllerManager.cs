using System.Threading.Channels;
using Cocktail.KubeSim.Http;
using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// kube-controller-manager, scheduler and kubelets of one cluster on a single asynchronous loop: changes from the
/// store and due timers feed per-controller work queues, which are drained in order.
/// </summary>
internal sealed class ControllerManager : IAsyncDisposable
{
    readonly ClusterRuntime _cluster;
    readonly IReadOnlyList<Controller> _controllers;
    readonly Channel<Action> _work = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    readonly Dictionary<Controller, HashSet<string>> _pending = [];
    readonly CancellationTokenSource _stop = new();
    Channel<StoreEvent>? _changes;
    Task? _loop;
    Task? _pump;

    static readonly bool Trace = Environment.GetEnvironmentVariable("KUBESIM_TRACE") == "1";

    public ControllerManager(ClusterRuntime cluster, IReadOnlyList<Controller> controllers)
    {
        _cluster = cluster;
        _controllers = controllers;
        foreach (var c in controllers)
        {
            _pending[c] = [];
            var controller = c;
            c.Enqueue = key => _work.Writer.TryWrite(() => _pending[controller].Add(key));
            c.Schedule = (delay, action) => _ = RunLater(delay, action);
        }
    }

    public void Start()
    {
        lock (_cluster.Store.Gate) _changes = _cluster.Store.History.Subscribe();
        // Synchronously, before the first request: namespaces, nodes and leases exist once StartAsync returns.
        foreach (var c in _controllers) Run(c.Start);
        _pump = PumpChanges();
        _loop = Loop();
    }

    async Task RunLater(TimeSpan delay, Action action)
    {
        try
        {
            if (delay > TimeSpan.Zero) await Task.Delay(delay, _cluster.Time, _stop.Token);
            _work.Writer.TryWrite(action);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Turns store changes into queued keys; resubscribes when fault injection drops every watch.</summary>
    async Task PumpChanges()
    {
        while (!_stop.IsCancellationRequested)
        {
            var changes = _changes!;
            try
            {
                await foreach (var change in changes.Reader.ReadAllAsync(_stop.Token))
                    _work.Writer.TryWrite(() => Dispatch(change));
            }
            catch (OperationCanceledException) { return; }
            lock (_cluster.Store.Gate) _changes = _cluster.Store.History.Subscribe();
            // A dropped informer relists: every controller resyncs everything it owns.
            _work.Writer.TryWrite(() => { foreach (var c in _controllers) c.Start(); });
        }
    }

    void Dispatch(StoreEvent change)
    {
        foreach (var c in _controllers)
            foreach (var key in c.KeysFor(change)) _pending[c].Add(key);
    }

    async Task Loop()
    {
        var reader = _work.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                // Drain everything, including keys queued while draining, before waiting again: a key left
                // pending would otherwise wait for some unrelated change to wake the loop.
                do
                {
                    while (reader.TryRead(out var action)) Run(action);
                    foreach (var c in _controllers) ReconcilePending(c);
                } while (reader.TryPeek(out _) || _pending.Values.Any(k => k.Count > 0));
            }
        }
        catch (OperationCanceledException) { }
    }

    void ReconcilePending(Controller c)
    {
        var keys = _pending[c];
        if (keys.Count == 0) return;
        var batch = keys.ToArray();
        keys.Clear();
        foreach (var key in batch)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            Run(() => c.Reconcile(key));
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (Trace && elapsed > TimeSpan.FromMilliseconds(20))
                Console.Error.WriteLine($"kubesim-trace {_cluster.Options.Name} {c.GetType().Name} {key} took {elapsed.TotalMilliseconds:F0} ms");
        }
    }

    void Run(Action action)
    {
        try { action(); }
        catch (ApiException) { /* conflicts and races resolve on the next change, as with real controllers */ }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A controller bug must not stop the cluster's loop; say so loudly instead.
            Console.Error.WriteLine($"kubesim[{_cluster.Options.Name}] controller error: {e}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _work.Writer.TryComplete();
        lock (_cluster.Store.Gate)
            if (_changes is not null) _cluster.Store.History.Unsubscribe(_changes);
        foreach (var t in new[] { _loop, _pump })
            if (t is not null)
                try { await t; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
