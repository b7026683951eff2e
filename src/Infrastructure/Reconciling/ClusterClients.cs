using Cocktail.Application.Clusters.Connecting;
using Cocktail.Application.ServiceMaps.Reconciling;
using Cocktail.Infrastructure.Kubernetes;
using k8s;

namespace Cocktail.Infrastructure.Reconciling;

/// <summary>
/// One Kubernetes client per cluster connection, kept between reconciliations. A client per message paid, every
/// time, for parsing the credentials and for a new TCP connection and TLS handshake (with a client certificate,
/// a full one): several round trips before the first PATCH. A changed connection (rotated credentials) is a new
/// key and gets a new client; one unused for a while is disposed.
/// <para>
/// Each cluster also gets a bound on how many reconciliations write to it at once, so that a burst of service maps
/// on one cluster does not arrive as dozens of concurrent requests (API Priority and Fairness would answer 429).
/// </para>
/// </summary>
internal sealed class ClusterClients(TimeSpan requestTimeout, int writersPerCluster, TimeProvider clock) : IDisposable
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(10);
    /// <summary>Even a busy client is replaced now and then, so that its connections follow DNS and load balancers.</summary>
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<ClusterConnection, Entry> _entries = [];
    private DateTimeOffset _lastSweep = clock.GetUtcNow();

    /// <summary>A client to read with; dispose the lease when done.</summary>
    public Lease Read(ClusterConnection connection) => new(this, Take(connection), writer: false);

    /// <summary>
    /// Writes to the cluster in a writer's turn with the cached client; what the cluster answered is classified as
    /// <see cref="ClusterCalls.ClassifyAsync"/> does (unreachable: retry; refused: say why).
    /// </summary>
    public Task<ApplyOutcome> GuardAsync(ClusterConnection connection, Func<IKubernetes, Task<ApplyOutcome>> work, CancellationToken ct) =>
        ClusterCalls.ClassifyAsync(async () =>
        {
            using var lease = await WriteAsync(connection, ct);
            return await work(lease.Client);
        });

    /// <summary>A client to write with, once this cluster has room for another writer; dispose the lease when done.</summary>
    public async Task<Lease> WriteAsync(ClusterConnection connection, CancellationToken ct)
    {
        var entry = Take(connection);
        try
        {
            await entry.Writers.WaitAsync(ct);
        }
        catch
        {
            Release(entry);
            throw;
        }
        return new Lease(this, entry, writer: true);
    }

    private Entry Take(ClusterConnection connection)
    {
        lock (_gate)
        {
            SweepIdle();
            if (!_entries.TryGetValue(connection, out var entry))
            {
                entry = new Entry(KubernetesClients.Create(connection, requestTimeout), new SemaphoreSlim(writersPerCluster), clock.GetUtcNow());
                _entries[connection] = entry;
            }
            entry.InUse++;
            entry.LastUsed = clock.GetUtcNow();
            return entry;
        }
    }

    private void Release(Entry entry)
    {
        lock (_gate)
        {
            entry.InUse--;
            entry.LastUsed = clock.GetUtcNow();
        }
    }

    /// <summary>
    /// Under the lock: disposes clients nobody uses now that have been idle for a while (a cluster unregistered,
    /// credentials rotated) or have lived long enough; the next use creates a new one.
    /// </summary>
    private void SweepIdle()
    {
        var now = clock.GetUtcNow();
        if (now - _lastSweep < SweepEvery) return;
        _lastSweep = now;
        foreach (var (connection, entry) in _entries.Where(e => e.Value.InUse == 0 && (now - e.Value.LastUsed > IdleLifetime || now - e.Value.Created > MaxLifetime)).ToList())
        {
            _entries.Remove(connection);
            entry.Dispose();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values) entry.Dispose();
            _entries.Clear();
        }
    }

    internal sealed class Entry(IKubernetes client, SemaphoreSlim writers, DateTimeOffset created) : IDisposable
    {
        public DateTimeOffset Created { get; } = created;
        public IKubernetes Client { get; } = client;
        public SemaphoreSlim Writers { get; } = writers;
        public int InUse { get; set; }
        public DateTimeOffset LastUsed { get; set; }

        public void Dispose()
        {
            Client.Dispose();
            Writers.Dispose();
        }
    }

    /// <summary>A client borrowed from the cache: disposing it gives it back (the client itself stays).</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ClusterClients _owner;
        private readonly Entry _entry;
        private readonly bool _writer;
        private int _returned;

        internal Lease(ClusterClients owner, Entry entry, bool writer)
        {
            _owner = owner;
            _entry = entry;
            _writer = writer;
        }

        public IKubernetes Client => _entry.Client;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 1) return;
            if (_writer) _entry.Writers.Release();
            _owner.Release(_entry);
        }
    }
}
