using System.Reflection;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Cocktail.KubeSim.Hosting;

/// <summary>
/// One heartbeat thread for every cluster in the process instead of Kestrel's one per server.
/// </summary>
/// <remarks>
/// Kestrel gives each <see cref="KestrelServer"/> a dedicated "Kestrel Timer" thread that ticks its date header and
/// connection timeouts once a second. A fleet of 500 clusters in one process therefore ran 500 extra threads, all
/// waking every second alongside everything else the fleet does on two cores. Kestrel keeps the heartbeat internal,
/// so this takes each server's heartbeat handlers before the server starts, clears the server's own heartbeat (Kestrel
/// starts and stops it through <c>Heartbeat?.</c>) and ticks every registered server from one thread. It stays a
/// dedicated thread, as Kestrel's is, so timeouts still fire while the thread pool is saturated. If Kestrel's internals
/// ever stop matching, <see cref="TryAdopt"/> returns null and the server keeps its own heartbeat: slower, never wrong.
/// </remarks>
internal static class SharedHeartbeat
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    static readonly Lock Gate = new();
    static readonly List<Action<DateTimeOffset>[]> Servers = [];
    static Thread? _thread;

    /// <summary>Whether the last server adopted was ticked from the shared thread (false: it runs Kestrel's own).</summary>
    public static bool Active { get; private set; }

    /// <summary>Call before <c>StartAsync</c>; dispose the result after the server stopped.</summary>
    public static IDisposable? TryAdopt(KestrelServer server)
    {
        var handlers = TakeHandlers(server);
        Active = handlers is not null;
        if (handlers is null) return null;
        Tick(handlers, DateTimeOffset.UtcNow); // as Kestrel's Start does: a date header before the first request
        lock (Gate)
        {
            Servers.Add(handlers);
            if (_thread is null)
            {
                _thread = new Thread(Loop) { Name = "KubeSim heartbeat", IsBackground = true };
                _thread.Start();
            }
        }
        return new Registration(handlers);
    }

    static Action<DateTimeOffset>[]? TakeHandlers(KestrelServer server)
    {
        try
        {
            const BindingFlags Instance = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
            var inner = typeof(KestrelServer).GetField("_innerKestrelServer", Instance)?.GetValue(server);
            if (inner is null) return Unsupported("KestrelServer._innerKestrelServer");
            var context = inner.GetType().GetProperty("ServiceContext", Instance)?.GetValue(inner);
            if (context is null) return Unsupported("KestrelServerImpl.ServiceContext");
            var heartbeatProperty = context.GetType().GetProperty("Heartbeat", Instance);
            var heartbeat = heartbeatProperty?.GetValue(context);
            if (heartbeatProperty?.CanWrite != true || heartbeat is null) return Unsupported("ServiceContext.Heartbeat");
            if (heartbeat.GetType().GetField("_callbacks", Instance)?.GetValue(heartbeat) is not Array callbacks) return Unsupported("Heartbeat._callbacks");
            // The handlers' interface (IHeartbeatHandler), whose OnHeartbeat takes the time or, in newer versions, reads it itself.
            var tick = callbacks.GetType().GetElementType()?.GetMethod("OnHeartbeat", Instance);
            var parameters = tick?.GetParameters();
            var takesTime = parameters is [{ } only] && only.ParameterType == typeof(DateTimeOffset);
            if (tick is null || !(takesTime || parameters is { Length: 0 })) return Unsupported("IHeartbeatHandler.OnHeartbeat");
            var handlers = new Action<DateTimeOffset>[callbacks.Length];
            for (var i = 0; i < callbacks.Length; i++)
            {
                var target = callbacks.GetValue(i)!;
                if (takesTime) handlers[i] = tick.CreateDelegate<Action<DateTimeOffset>>(target);
                else
                {
                    var run = tick.CreateDelegate<Action>(target);
                    handlers[i] = _ => run();
                }
            }
            heartbeatProperty.SetValue(context, null); // never started, so nothing to stop
            return handlers;
        }
        catch (Exception e) when (e is MemberAccessException or ArgumentException or InvalidCastException or TargetException)
        {
            return Unsupported(e.Message);
        }
    }

    static bool _warned;

    static Action<DateTimeOffset>[]? Unsupported(string what)
    {
        if (!_warned)
        {
            _warned = true;
            Console.Error.WriteLine($"kubesim: Kestrel's heartbeat cannot be shared ({what} not as expected); each cluster keeps its own timer thread");
        }
        return null;
    }

    static void Loop()
    {
        while (true)
        {
            Thread.Sleep(Interval);
            Action<DateTimeOffset>[][] servers;
            lock (Gate) servers = [.. Servers];
            var now = DateTimeOffset.UtcNow;
            foreach (var handlers in servers) Tick(handlers, now);
        }
    }

    static void Tick(Action<DateTimeOffset>[] handlers, DateTimeOffset now)
    {
        foreach (var handler in handlers)
        {
            try { handler(now); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"kubesim: Kestrel heartbeat handler failed: {e.Message}");
            }
        }
    }

    sealed class Registration(Action<DateTimeOffset>[] handlers) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate) Servers.Remove(handlers);
        }
    }
}
