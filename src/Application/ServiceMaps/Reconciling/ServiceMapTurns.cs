namespace Cocktail.Application.ServiceMaps.Reconciling;

/// <summary>
/// One reconciliation of a service map at a time in this process, each reading the service map only once the one
/// before it has written to the cluster. Otherwise two can overlap (a settings change, a policy change and member
/// changes each send one), and the one that read the older settings can finish last and put them back on the
/// cluster until the next drift pass. Reconciliations of different service maps still run side by side. Across
/// replicas, <see cref="Common.IExclusiveTurns"/> does the same; this one only keeps the waiting ones of this process
/// from holding a database connection each.
/// </summary>
internal static class ServiceMapTurns
{
    private static readonly Dictionary<Guid, Turn> Turns = [];

    public static async Task<IDisposable> TakeAsync(Guid serviceMapId, CancellationToken ct)
    {
        Turn turn;
        lock (Turns)
        {
            if (!Turns.TryGetValue(serviceMapId, out turn!)) Turns[serviceMapId] = turn = new Turn(serviceMapId);
            turn.Waiting++;
        }
        try
        {
            await turn.Gate.WaitAsync(ct);
        }
        catch
        {
            turn.Leave(entered: false);
            throw;
        }
        return new Held(turn);
    }

    private sealed class Turn(Guid serviceMapId)
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Waiting { get; set; }

        public void Leave(bool entered)
        {
            if (entered) Gate.Release();
            lock (Turns)
            {
                if (--Waiting > 0) return;
                Turns.Remove(serviceMapId);
            }
            Gate.Dispose();
        }
    }

    private sealed class Held(Turn turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) turn.Leave(entered: true);
        }
    }
}
