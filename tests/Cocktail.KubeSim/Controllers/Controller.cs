using Cocktail.KubeSim.Storage;

namespace Cocktail.KubeSim.Controllers;

/// <summary>
/// A controller in the informer/work-queue style: it maps each stored change to the keys it must reconcile and
/// reconciles one key at a time. All controllers of a cluster run on one loop, so a cluster behaves
/// deterministically and costs no thread while idle.
/// </summary>
internal abstract class Controller(ClusterRuntime cluster)
{
    protected ClusterRuntime Cluster { get; } = cluster;

    /// <summary>Set by the manager: runs an action on the controller loop after a delay (kubelet timings...).</summary>
    public Action<TimeSpan, Action> Schedule { get; set; } = (_, _) => { };

    /// <summary>Set by the manager: queues a key of this controller for reconciliation.</summary>
    public Action<string> Enqueue { get; set; } = _ => { };

    /// <summary>The keys (usually "namespace/name" of the object this controller owns) a change concerns.</summary>
    public abstract IEnumerable<string> KeysFor(StoreEvent change);

    public abstract void Reconcile(string key);

    /// <summary>Work to do once when the cluster starts (register nodes, seed objects...).</summary>
    public virtual void Start() { }

    protected static string KeyOf(StoredObject o) => o.Namespace.Length == 0 ? o.Name : $"{o.Namespace}/{o.Name}";

    protected static (string Namespace, string Name) Split(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? ("", key) : (key[..slash], key[(slash + 1)..]);
    }
}
